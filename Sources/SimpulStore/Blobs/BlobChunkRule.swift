import SimpulDomain

/// Whether a piece of a blob may be appended to what a store holds of it: the one rule both hub
/// stores (SQLite and PostgreSQL) apply before they write, so they refuse the same pieces with the same
/// code and `received`.
public enum BlobChunkRule {
    /// The end of the piece when it fits, else the refusal. `held` is what the store holds of the blob
    /// (nil for none); an offset near `Int64.max` is refused, never overflowed.
    public static func admit(
        sha: String, held: StoredBlob?, offset: Int64, byteCount: Int, totalSize: Int64
    ) -> Result<Int64, BlobError> {
        let received = held?.received ?? 0
        guard totalSize > 0, totalSize <= Attachment.maxBytes else {
            return .failure(
                BlobError(
                    .size,
                    "ukuran blob \(totalSize) byte di luar batas 1 byte sampai \(Attachment.sizeText(Attachment.maxBytes))",
                    received: received))
        }
        if let held, held.size != totalSize {
            return .failure(
                BlobError(
                    .size, "blob \(sha.prefix(12)) berukuran \(held.size) byte, bukan \(totalSize)", received: received)
            )
        }
        let (end, overflow) = offset.addingReportingOverflow(Int64(byteCount))
        guard byteCount > 0, offset >= 0, !overflow, end <= totalSize else {
            return .failure(
                BlobError(
                    .size, "potongan \(byteCount) byte mulai byte \(offset) tidak muat dalam \(totalSize) byte",
                    received: received))
        }
        guard offset == received else {
            return .failure(
                BlobError(
                    .offset, "blob \(sha.prefix(12)) sudah diterima sampai byte \(received), bukan \(offset)",
                    received: received))
        }
        return .success(end)
    }
}
