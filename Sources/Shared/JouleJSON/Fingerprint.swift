/// A 64-bit FNV-1a fingerprint, written as `fnv1a64:` and 16 hex digits.
///
/// Outputs record fingerprints of the inputs behind their numbers (a profile's numbers, a
/// measurement file) so that two results can be told to come from the same data even when
/// a file keeps its name and changes its contents. It is an identity check, not a security
/// measure: FNV is fast and stable across platforms and releases, and not collision-proof.
public enum Fingerprint {
    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
