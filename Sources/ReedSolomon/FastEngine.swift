// Temporary: the fast engine is being written; until then it is the reference engine.
typealias FastWork = ReferenceWork
