// Big-integer constants of BLS12-381 as little-endian 64-bit limbs (exponents and scalars).
// Generated from p, r and h_eff (RFC 9380 §8.8.2) with Python integers; checked in the tests.

/// Exponents and scalars used outside the hot paths; all little-endian 64-bit limbs.
enum Constants {
    static let pMinus2: [UInt64] = [0xb9feffffffffaaa9, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624, 0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a]
    static let pPlus1Div4: [UInt64] = [0xee7fbfffffffeaab, 0x07aaffffac54ffff, 0xd9cc34a83dac3d89, 0xd91dd2e13ce144af, 0x92c6e9ed90d2eb35, 0x0680447a8e5ff9a6]
    static let pMinus1Div2: [UInt64] = [0xdcff7fffffffd555, 0x0f55ffff58a9ffff, 0xb39869507b587b12, 0xb23ba5c279c2895f, 0x258dd3db21a5d66b, 0x0d0088f51cbff34d]
    static let pMinus3Div4: [UInt64] = [0xee7fbfffffffeaaa, 0x07aaffffac54ffff, 0xd9cc34a83dac3d89, 0xd91dd2e13ce144af, 0x92c6e9ed90d2eb35, 0x0680447a8e5ff9a6]
    static let pMinus1Div6: [UInt64] = [0x49aa7ffffffff1c7, 0x051caaaa72e35555, 0xe688231ad3c82906, 0xe613e1eb7deb831f, 0x0c849bf3b5e1f223, 0x045582fc5eeaa66f]
    static let pMinus1Div3: [UInt64] = [0x9354ffffffffe38e, 0x0a395554e5c6aaaa, 0xcd104635a790520c, 0xcc27c3d6fbd7063f, 0x190937e76bc3e447, 0x08ab05f8bdd54cde]
    static let r: [UInt64] = [0xffffffff00000001, 0x53bda402fffe5bfe, 0x3339d80809a1d805, 0x73eda753299d7d48]
    static let hEff: [UInt64] = [0xe8020005aaa95551, 0x59894c0adebbf6b4, 0xe954cbc06689f6a3, 0x2ec0ec69d7477c1a, 0x6d82bf015d1212b0, 0x329c2f178731db95, 0x9986ff031508ffe1, 0x88e2a8e9145ad768, 0x584c6a0ea91b3528, 0x0bc69f08f2ee75b3]
    static let pSquaredMinus9Div16: [UInt64] = [0xb26aa00001c718e3, 0xd7ced6b1d76382ea, 0x3162c338362113cf, 0x966bf91ed3e71b74, 0xb292e85a87091a04, 0x11d68619c86185c7, 0xef53149330978ef0, 0x050a62cfd16ddca6, 0x466e59e49349e8bd, 0x9e2dc90e50e7046b, 0x74bd278eaa22f25e, 0x002a437a4b8c35fc]
    /// |x| for the BLS parameter x = -0xd201000000010000.
    static let xAbs: UInt64 = 0xd201_0000_0001_0000
    /// 3 (p^4 - p^2 + 1) / r, the hard part of the final exponentiation (times 3), for tests.
    static let threeHardPart: [UInt64] = [0xaf444bdcaaab2f6b, 0xefcb3800a61a66d5, 0xb116bba59a18123a, 0x554e727d129be6a3, 0x8a65dbc1cc35fe5a, 0x6574220c23e5b6cc, 0x8c72178bc76a791c, 0xb415c7da454d4863, 0x37d47f639b68a630, 0x6a6a2b0ab1c47526, 0x6c9ae9625394f594, 0x6163cbf00bf566e4, 0x877c5e22f2639411, 0xb0f5836ba82b62de, 0xe3ae662e47a24ea0, 0x8d69012b6d183f47, 0xbcf13296f7a83fce, 0x7b69b9acc2cc45ea, 0x4237aa494c159cdc, 0x002e3941b8817705]
}
