import SimpulDomain
import Testing

@Suite(.timeLimit(.minutes(10)))
struct TerbilangTests {
    @Test(arguments: [
        (Int64(0), "nol rupiah"), (1, "satu rupiah"), (11, "sebelas rupiah"), (12, "dua belas rupiah"),
        (20, "dua puluh rupiah"), (100, "seratus rupiah"), (115, "seratus lima belas rupiah"),
        (1000, "seribu rupiah"), (1500, "seribu lima ratus rupiah"), (25_000, "dua puluh lima ribu rupiah"),
        (30_000, "tiga puluh ribu rupiah"), (150_000, "seratus lima puluh ribu rupiah"),
        (101_000, "seratus satu ribu rupiah"), (1_000_000, "satu juta rupiah"),
        (2_750_500, "dua juta tujuh ratus lima puluh ribu lima ratus rupiah"),
        (1_000_000_000, "satu miliar rupiah"),
    ])
    func amountsReadAsAKuitansiWritesThem(amount: Int64, words: String) {
        #expect(Terbilang.rupiah(amount) == words)
    }
}
