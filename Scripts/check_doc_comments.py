import re,sys,os,collections
decl=re.compile(r'^\s*(@\w+(\([^)]*\))?\s+)*(public|open)\s+((static|final|mutating|nonmutating|override|convenience|required|indirect|lazy|class)\s+)*(func|var|let|init|struct|enum|class|protocol|typealias|subscript|case|actor|extension|static|init\?|init\()')
cnt=collections.Counter(); tot=collections.Counter()
for root,_,fs in os.walk('Sources'):
  for f in fs:
    if not f.endswith('.swift'): continue
    p=os.path.join(root,f); lines=open(p).read().split('\n')
    for i,l in enumerate(lines):
      if not decl.match(l): continue
      if re.match(r'^\s*public\s+extension',l) or re.match(r'^\s*(public\s+)?extension',l): continue
      tot[root]+=1
      j=i-1
      while j>=0 and re.match(r'^\s*@\w+',lines[j]): j-=1
      prev=lines[j].strip() if j>=0 else ''
      if prev.startswith('///') or prev.endswith('*/'): continue
      cnt[root]+=1
      if len(sys.argv)>1: print(f"{p}:{i+1}: {l.strip()}")
for k in sorted(tot): print(k, cnt[k], '/', tot[k])
