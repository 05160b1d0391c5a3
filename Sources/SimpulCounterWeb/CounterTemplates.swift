import SimpulDomain
import SimpulWeb

/// The counter's pages as Mustache templates. `{{x}}` is escaped; `{{{body}}}` is only ever a page this
/// program rendered.
enum CounterTemplates {
    static let all: [String: String] = [
        "frame": frame, "login": login, "queue": queue, "permohonan": permohonan, "daftar": daftar, "cari": cari,
        "petugas": petugas, "pesan": pesan, "antrian": antrian, "antrianlaporan": antrianLaporan,
        "kas": CounterApp.kasTemplate,
        "pengaduan": pengaduan,
    ]

    /// The register of complaints: the open ones (or all), late ones marked, with the form to receive one.
    static let pengaduan = """
        <h1>Register pengaduan</h1>
        <p class="muted">Tenggat menurut UU 25/2009: ditanggapi paling lambat {{responseDays}} hari dan diselesaikan paling lambat {{closingDays}} hari sejak diterima (bila jatuh pada hari libur, hari kerja berikutnya).{{#lateText}} <strong class="due merah">{{lateText}}</strong>{{/lateText}}</p>
        <p>{{#all}}<a href="/pengaduan">Tampilkan yang masih terbuka saja</a>{{/all}}{{^all}}<a href="/pengaduan?semua=1">Tampilkan semua, termasuk yang sudah ditutup</a>{{/all}}</p>
        {{#empty}}<div class="card"><p>{{#all}}Belum ada pengaduan.{{/all}}{{^all}}Tidak ada pengaduan yang terbuka.{{/all}}</p></div>{{/empty}}
        {{^empty}}
        <table class="queue complaints">
          <thead><tr><th scope="col">Nomor</th><th scope="col">Diterima</th><th scope="col">Pengaduan</th><th scope="col">Tenggat</th><th scope="col">Status</th></tr></thead>
          <tbody>
          {{#rows}}
            <tr class="{{rowKind}}">
              <td><strong class="nomor">{{record}}</strong></td>
              <td>{{received}}<br><span class="muted">{{channel}}, oleh {{officer}}</span></td>
              <td><div>{{text}}</div><div class="muted">Layanan: {{layanan}}{{#number}} &middot; Permohonan {{number}}{{/number}} &middot; Pengadu: {{complainant}}</div>
                {{#steps}}<div class="muted">{{when}} &middot; {{officer}} &middot; {{note}}</div>{{/steps}}
                {{#canHandle}}
                <details class="no-print"><summary>Tindak lanjut atau tutup</summary>
                <form class="stack" method="post" action="/pengaduan">
                  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{record}}">
                  <label for="catatan-{{record}}">Catatan (tanggapan, tindakan, atau hasil penyelesaian)</label>
                  <textarea id="catatan-{{record}}" name="catatan" required maxlength="1000"></textarea>
                  <p><button type="submit" name="aksi" value="tindak-lanjut">Catat tindak lanjut</button> <button type="submit" name="aksi" value="tutup" class="secondary">Tutup pengaduan</button></p>
                </form></details>
                {{/canHandle}}
              </td>
              <td>Tanggapi: {{respondBy}}<br>Selesai: {{closeBy}}</td>
              <td><span class="due {{stateKind}}">{{state}}</span></td>
            </tr>
          {{/rows}}
          </tbody>
        </table>
        {{/empty}}
        {{#canReceive}}
        <h2>Terima pengaduan</h2>
        <form class="card stack" method="post" action="/pengaduan">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="aksi" value="terima">
          <label for="aduan-saluran">Saluran</label>
          <select id="aduan-saluran" name="saluran" required>{{#channels}}<option value="{{value}}">{{label}}</option>{{/channels}}</select>
          <label for="aduan-layanan">Layanan yang diadukan (boleh kosong)</label>
          <select id="aduan-layanan" name="layanan"><option value="">(tidak tentang satu layanan)</option>{{#services}}<option value="{{value}}">{{label}}</option>{{/services}}</select>
          <label for="aduan-nomor">Nomor permohonan (boleh kosong)</label>
          <input id="aduan-nomor" name="nomor" type="text" inputmode="numeric" placeholder="01-26-00042-7" maxlength="40">
          <label for="aduan-isi">Isi pengaduan</label>
          <textarea id="aduan-isi" name="isi" required maxlength="2000"></textarea>
          <label for="aduan-nama">Nama pengadu (boleh kosong)</label>
          <input id="aduan-nama" name="nama" type="text" maxlength="100">
          <label for="aduan-kontak">Kontak pengadu: telepon, alamat atau email (boleh kosong)</label>
          <input id="aduan-kontak" name="kontak" type="text" maxlength="200">
          <p><button type="submit">Catat pengaduan</button></p>
        </form>
        {{/canReceive}}
        """

    static let antrian = """
        <h1>Antrian</h1>
        <div class="grid">
          <section class="card">
            <h2>Ambil nomor (pemandu)</h2>
            <p class="muted">Tanyakan keperluan pengunjung, lalu cetak tiketnya.</p>
            {{#groups}}
            <form method="post" action="/antrian/ambil" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="kelompok" value="{{code}}">
              <button type="submit">{{label}}</button> <span class="muted">{{waiting}} menunggu</span>
            </form>
            {{/groups}}
          </section>
          <section class="card">
            <h2>Panggil pengunjung</h2>
            <form method="post" action="/antrian/panggil" class="stack">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label for="meja">Meja atau loket Anda</label>
              <input id="meja" name="meja" type="text" value="{{desk}}" maxlength="40" required placeholder="mis. Loket 1" autocomplete="off">
              <fieldset><legend>Panggil dari kelompok</legend>
              {{#groups}}<label class="check"><input type="checkbox" name="kelompok" value="{{code}}" checked> {{label}}</label>{{/groups}}
              </fieldset>
              <button type="submit" name="aksi" value="berikutnya">Panggil berikutnya</button>
              <button type="submit" name="aksi" value="ulang" class="secondary">Panggil ulang</button>
            </form>
          </section>
        </div>
        <h2>Dipanggil hari ini</h2>
        {{^hasCalled}}<div class="card"><p>Belum ada nomor yang dipanggil hari ini.</p></div>{{/hasCalled}}
        {{#hasCalled}}
        <table>
          <thead><tr><th scope="col">Nomor</th><th scope="col">Kelompok</th><th scope="col">Meja</th><th scope="col">Pukul</th></tr></thead>
          <tbody>{{#called}}<tr><td><strong>{{code}}</strong></td><td>{{group}}</td><td>{{desk}}</td><td>{{at}}</td></tr>{{/called}}</tbody>
        </table>
        {{/hasCalled}}
        <p><a href="/antrian/layar" target="_blank" rel="noopener">Buka layar panggilan (untuk TV ruang tunggu)</a> &middot; <a href="/antrian/laporan">Laporan waktu tunggu hari ini</a></p>
        """

    static let antrianLaporan = """
        <h1>Laporan antrian {{day}}</h1>
        <form method="get" action="/antrian/laporan" class="inline"><label for="tanggal">Tanggal</label> <input id="tanggal" name="tanggal" type="date" value="{{dayISO}}"> <button type="submit" class="secondary">Tampilkan</button></form>
        <table>
          <thead><tr><th scope="col">Kelompok</th><th scope="col" class="num">Tiket</th><th scope="col" class="num">Dipanggil</th><th scope="col">Rata-rata menunggu</th><th scope="col">Terlama</th></tr></thead>
          <tbody>{{#summary}}<tr><td>{{group}}</td><td class="num">{{taken}}</td><td class="num">{{called}}</td><td>{{average}}</td><td>{{longest}}</td></tr>{{/summary}}</tbody>
        </table>
        <h2>Setiap tiket</h2>
        {{^hasRows}}<div class="card"><p>Tidak ada tiket pada tanggal ini.</p></div>{{/hasRows}}
        {{#hasRows}}
        <table>
          <thead><tr><th scope="col">Nomor</th><th scope="col">Kelompok</th><th scope="col">Diambil</th><th scope="col">Dipanggil</th><th scope="col">Meja</th><th scope="col">Petugas</th><th scope="col">Menunggu</th></tr></thead>
          <tbody>{{#rows}}<tr><td><strong>{{code}}</strong></td><td>{{group}}</td><td>{{taken}}</td><td>{{called}}</td><td>{{desk}}</td><td>{{officer}}</td><td>{{wait}}</td></tr>{{/rows}}</tbody>
        </table>
        {{/hasRows}}
        """

    static let frame = """
        <!doctype html>
        <html lang="id">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} - {{office}}</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/aset/simpul.css">
        <script src="/aset/simpul.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#isi">Langsung ke isi</a>
        {{#officer}}
        <header class="bar">
          <span class="office">{{office}}</span>
          <nav aria-label="Menu utama">
            {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}{{#hasCount}}<span class="count" aria-label="{{count}} menunggu">{{count}}</span>{{/hasCount}}</a>{{/nav}}
          </nav>
          <span class="who">{{officer}}</span>
          <form method="post" action="/keluar"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Keluar</button></form>
        </header>
        <div class="strip" role="status" aria-label="Keadaan sinkron">
          <span>Hub: {{#strip.linkUp}}<span class="up">tersambung</span>{{/strip.linkUp}}{{^strip.linkUp}}<span class="{{strip.linkClass}}">{{strip.linkText}}</span>{{/strip.linkUp}}</span>
          <span>Sinkron terakhir: {{strip.lastSync}}</span>
          <span>Menunggu dikirim: {{strip.pending}} event</span>
          <span>Konflik terbuka: {{strip.conflicts}}</span>
          {{#strip.canSync}}<form method="post" action="/sinkron"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Sinkron sekarang</button></form>{{/strip.canSync}}
        </div>
        {{/officer}}
        <main id="isi">
        {{#flash}}<div class="flash {{flashKind}}" role="alert">{{flash}}</div>{{/flash}}
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <div class="login card">
          <h1>Masuk</h1>
          <p class="muted">Loket PATEN {{office}}</p>
          <form class="stack" method="post" action="/masuk">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="username">Nama pengguna</label>
            <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" required autofocus value="{{username}}">
            <label for="password">Kata sandi atau PIN</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <p><button type="submit">Masuk</button></p>
          </form>
          <p><a href="/papan">Papan informasi standar pelayanan</a></p>
        </div>
        """

    static let queue = """
        <h1>{{heading}}</h1>
        {{#empty}}<div class="card"><p>Tidak ada berkas yang menunggu tahap Anda.</p></div>{{/empty}}
        {{^empty}}
        <p class="muted">{{total}} berkas menunggu, yang paling dekat jatuh tempo di atas.{{#pageText}} {{pageText}}.{{/pageText}}</p>
        <table class="queue">
          <thead><tr><th scope="col">Nomor</th><th scope="col">Layanan</th><th scope="col">Pemohon</th><th scope="col">Menunggu</th><th scope="col">Jatuh tempo</th><th scope="col" class="num">Retribusi</th></tr></thead>
          <tbody>
          {{#rows}}
            <tr>
              <td><a class="nomor" href="/permohonan/{{number}}">{{number}}</a>{{#flag}}<br><span class="tag {{flagKind}}">{{flag}}</span>{{/flag}}</td>
              <td>{{layanan}}</td>
              <td>{{nama}}<br><span class="muted">NIK {{nik}}</span></td>
              <td>{{waiting}}</td>
              <td>{{dueDate}}<br><span class="due {{dueLevel}}">{{dueText}}</span></td>
              <td class="num">{{fee}}</td>
            </tr>
          {{/rows}}
          </tbody>
        </table>
        <div class="pager">{{#previous}}<a class="button secondary" href="{{previous}}">&larr; Sebelumnya</a>{{/previous}}{{#next}}<a class="button secondary" href="{{next}}">Berikutnya &rarr;</a>{{/next}}</div>
        {{/empty}}
        """

    static let permohonan = """
        <p class="no-print"><a href="/">&larr; Kembali ke antrean</a></p>
        <h1><span class="nomor">{{number}}</span> &middot; {{layananName}}</h1>
        <div class="card grid">
          <dl class="facts">
            <dt>Pemohon</dt><dd>{{nama}}</dd>
            <dt>NIK</dt><dd>{{nik}}</dd>
            {{#alamat}}<dt>Alamat</dt><dd>{{alamat}}</dd>{{/alamat}}
            {{#telepon}}<dt>Telepon</dt><dd>{{telepon}}</dd>{{/telepon}}
            <dt>Layanan</dt><dd>{{layananCode}} - {{layananName}} (versi {{layananVersion}})</dd>
          </dl>
          <dl class="facts">
            <dt>Diterima</dt><dd>{{accepted}}</dd>
            <dt>Selesai paling lambat</dt><dd>{{dueDate}} <span class="due {{dueLevel}}">{{dueText}}</span></dd>
            <dt>Status</dt><dd>{{status}}</dd>
            {{#waiting}}<dt>Menunggu</dt><dd>{{waiting}}</dd>{{/waiting}}
            <dt>Retribusi</dt><dd>{{fee}}</dd>
            {{#receipts}}<dt>Kuitansi</dt><dd>{{receipts}}</dd>{{/receipts}}
            {{#reason}}<dt>Alasan</dt><dd>{{reason}}</dd>{{/reason}}
          </dl>
        </div>
        <p class="no-print">Cetak: <a class="button secondary" href="/permohonan/{{number}}/tanda-terima?kertas=a5" target="_blank">Tanda terima A5</a>
          <a class="button secondary" href="/permohonan/{{number}}/tanda-terima?kertas=58mm" target="_blank">Tanda terima 58 mm</a>
          {{#kuitansi}}<a class="button secondary" href="/kuitansi?nomor={{query}}&amp;kertas=58mm" target="_blank">Kuitansi {{receipt}}</a> {{/kuitansi}}</p>
        {{#showLetter}}
        <h2>Surat</h2>
        <div class="card letter">
          {{#letter}}
          <p>Nomor surat <strong>{{letterNumber}}</strong> &middot; {{name}} ({{size}}) &middot; <span class="muted">dibuat {{madeBy}}</span></p>
          {{#older}}<p class="muted">{{older}}</p>{{/older}}
          {{#complete}}<p class="no-print"><a class="button{{^handover}} secondary{{/handover}}" href="/lampiran/{{sha}}" target="_blank" rel="noopener">{{open}}</a> <a href="/lampiran/{{sha}}?unduh=1">Unduh</a></p>{{/complete}}
          {{^complete}}<p class="muted">Isi surat belum ada di node ini; surat tiba pada sinkron berikutnya.</p>{{/complete}}
          {{/letter}}
          {{^letter}}<p class="muted">Belum ada surat. Operator membuatnya dari templat layanan; nomor surat diberikan saat dibuat.</p>{{/letter}}
          {{#canMakeLetter}}
          <form class="no-print" method="post" action="/permohonan/{{number}}/surat">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">{{makeLetterLabel}}</button>
          </form>
          {{/canMakeLetter}}
        </div>
        {{/showLetter}}
        {{#issuedDue}}
        <h2>Dokumen terbit dari {{issuedFrom}}</h2>
        <div class="card issued">
          {{#issued}}
          <p>Nomor <strong>{{number}}</strong> &middot; {{name}} ({{size}}) &middot; <span class="muted">dilampirkan {{attachedBy}}</span></p>
          {{#complete}}<p class="no-print"><a class="button" href="/lampiran/{{sha}}" target="_blank" rel="noopener">Buka dan cetak dokumen</a> <a href="/lampiran/{{sha}}?unduh=1">Unduh</a></p>{{/complete}}
          {{^complete}}<p class="muted">Isi dokumen belum terunduh dari hub; dokumen tiba pada sinkron berikutnya.</p>{{/complete}}
          {{/issued}}
          {{^issued}}<p class="muted">Dokumen terbit belum dikirim; dokumen tiba di sini setelah sinkron, untuk dicetak dan diserahkan.</p>{{/issued}}
        </div>
        {{/issuedDue}}
        {{#hasIsian}}<h2>Isian formulir</h2><div class="card"><dl class="facts">{{#isian}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/isian}}</dl></div>{{/hasIsian}}
        <h2>Persyaratan</h2>
        <div class="card"><ul>{{#syarat}}<li>{{name}} <span class="muted">({{code}})</span>{{#scanned}} &middot; <span class="tag">ada pindaian</span>{{/scanned}}</li>{{/syarat}}</ul></div>
        <h2>Pindaian</h2>
        <div class="card">
          {{^scans}}<p class="muted">Belum ada pindaian.</p>{{/scans}}
          <div class="scans">
          {{#scans}}
            <figure class="scan">
              {{#complete}}{{#isImage}}<a href="/lampiran/{{sha}}"><img src="/lampiran/{{sha}}" alt="Pindaian {{name}}"></a>{{/isImage}}{{#isPDF}}<object data="/lampiran/{{sha}}" type="application/pdf" aria-label="Pindaian {{name}}"><a href="/lampiran/{{sha}}">Buka {{name}}</a></object>{{/isPDF}}{{#isDownload}}<a href="/lampiran/{{sha}}?unduh=1">Unduh {{name}}</a> <span class="muted">(jenis berkas ini tidak tampil di peramban; buka dengan penampil gambar)</span>{{/isDownload}}{{/complete}}
              <figcaption>{{label}}<br><span class="muted">{{state}}</span>{{#complete}} &middot; <a href="/lampiran/{{sha}}?unduh=1">Unduh</a>{{/complete}}</figcaption>
            </figure>
          {{/scans}}
          </div>
          {{#canAttach}}
          <form class="stack no-print" method="post" action="/permohonan/{{number}}/lampiran" enctype="application/octet-stream" data-upload="/permohonan/{{number}}/lampiran">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="berkas">Tambah pindaian (PDF, JPEG, PNG; paling besar 20 MB)</label>
            <input id="berkas" name="berkas" type="file" accept="application/pdf,image/jpeg,image/png" capture="environment">
            <label for="syarat-lampiran">Untuk persyaratan</label>
            <select id="syarat-lampiran" name="syarat"><option value="">(lain-lain)</option>{{#syarat}}<option value="{{code}}">{{name}}</option>{{/syarat}}</select>
            <p><progress value="0" max="1" aria-label="Kemajuan unggahan"></progress> <span class="upload-status" role="status"></span></p>
            <p><button type="submit">Unggah</button></p>
          </form>
          {{/canAttach}}
        </div>
        {{#survey}}
        <h2>Survei kepuasan masyarakat</h2>
        <div class="card no-print survey-offer"><p>Dokumen sudah diserahkan. Berikan tablet kepada pemohon untuk mengisi survei (tanpa nama), atau salin formulir kertasnya.</p>
          <p><a class="button" href="{{survey}}">Buka survei di tablet</a> <a class="button secondary" href="{{survey}}?saluran=kertas">Salin dari formulir kertas</a></p></div>
        {{/survey}}
        <h2>Tindakan</h2>
        {{#notice}}<div class="flash err" role="note">{{notice}}</div>{{/notice}}
        {{^actions}}<div class="card"><p class="muted">{{noActionText}}</p></div>{{/actions}}
        <div class="actions">
        {{#actions}}
          <form method="post" action="/permohonan/{{number}}/aksi"{{#confirm}} data-confirm="{{confirm}}"{{/confirm}}>
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="aksi" value="{{verb}}">
            <input type="hidden" name="tahap" value="{{tahap}}">
            {{#amount}}<label for="jumlah-{{verb}}">Jumlah dibayar (rupiah)</label><input id="jumlah-{{verb}}" name="jumlah" type="text" inputmode="numeric" value="{{amount}}" required>{{/amount}}
            {{#substitute}}<label for="sebagai-{{verb}}">Ditandatangani</label><select id="sebagai-{{verb}}" name="sebagai">{{#substituteOptions}}<option value="{{value}}">{{label}}</option>{{/substituteOptions}}</select>{{/substitute}}
            {{#noteLabel}}<label for="catatan-{{verb}}">{{noteLabel}}</label><textarea id="catatan-{{verb}}" name="catatan"{{#noteRequired}} required{{/noteRequired}}></textarea>{{/noteLabel}}
            <p><button type="submit"{{#danger}} class="danger"{{/danger}}>{{button}}</button></p>
          </form>
        {{/actions}}
        </div>
        <h2>Riwayat</h2>
        <div class="card">
          <ol class="timeline">
          {{#history}}<li><div class="when">{{when}} &middot; {{officer}} ({{role}})</div><div>{{what}}</div><div class="dot">{{dot}}</div></li>{{/history}}
          </ol>
        </div>
        """

    static let daftar = """
        <h1>Daftarkan permohonan</h1>
        <form class="card" method="get" action="/daftar">
          <label for="pilih-layanan"><strong>Layanan</strong></label>
          <select id="pilih-layanan" name="layanan">
            <option value="">Pilih layanan</option>
            {{#services}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}} - {{name}}</option>{{/services}}
          </select>
          <button type="submit" class="secondary">Pilih</button>
        </form>
        {{#service}}
        <form class="card stack" method="post" action="/daftar" data-check="/api/periksa">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="layanan" value="{{code}}">
          <h2>{{code}} - {{name}}</h2>
          <p class="muted">{{kind}}; {{place}}; lama layanan {{duration}}; retribusi {{feeRule}}.</p>
          <fieldset>
            <legend>Persyaratan yang dibawa pemohon (periksa satu per satu)</legend>
            {{#requirements}}<div class="check"><input type="checkbox" id="syarat-{{code}}" name="syarat" value="{{code}}"{{#checked}} checked{{/checked}}><label for="syarat-{{code}}">{{name}}</label></div>{{/requirements}}
          </fieldset>
          <fieldset>
            <legend>Pemohon</legend>
            <label for="nik">NIK (16 digit)</label>
            <input id="nik" name="nik" type="text" inputmode="numeric" maxlength="16" autocomplete="off" required value="{{nik}}" aria-describedby="periksa-nik">
            <p class="hint" id="periksa-nik" role="status"></p>
            <label for="nama">Nama lengkap</label>
            <input id="nama" name="nama" type="text" required maxlength="200" value="{{nama}}">
            <label for="alamat">Alamat</label>
            <input id="alamat" name="alamat" type="text" maxlength="300" value="{{alamat}}">
            <label for="telepon">Telepon</label>
            <input id="telepon" name="telepon" type="text" inputmode="tel" maxlength="30" value="{{telepon}}">
          </fieldset>
          {{#hasInputs}}
          <fieldset>
            <legend>Isian untuk menghitung retribusi</legend>
            {{#inputs}}<label for="isian-{{key}}">{{key}}</label><input id="isian-{{key}}" name="isian.{{key}}" type="text" inputmode="decimal" required value="{{value}}">{{/inputs}}
          </fieldset>
          {{/hasInputs}}
          <p><strong>Retribusi:</strong> <span class="hint" id="periksa-biaya" role="status">{{feeNow}}</span></p>
          <p><strong>Selesai paling lambat:</strong> <span class="hint" id="periksa-jatuhtempo">{{dueNow}}</span></p>
          <p><button type="submit">Daftarkan dan cetak tanda terima</button></p>
        </form>
        {{/service}}
        """

    static let cari = """
        <h1>Cari permohonan</h1>
        <form class="card filters" method="get" action="/cari">
          <div class="field"><label for="q-nomor">Nomor pendaftaran</label><input id="q-nomor" name="nomor" type="search" value="{{q.nomor}}"></div>
          <div class="field"><label for="q-nik">NIK</label><input id="q-nik" name="nik" type="search" inputmode="numeric" value="{{q.nik}}"></div>
          <div class="field"><label for="q-nama">Nama</label><input id="q-nama" name="nama" type="search" value="{{q.nama}}"></div>
          <div class="field"><label for="q-layanan">Layanan</label><select id="q-layanan" name="layanan"><option value="">Semua</option>{{#services}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}}</option>{{/services}}</select></div>
          <div class="field"><label for="q-status">Status</label><select id="q-status" name="status"><option value="">Semua</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
          <div class="field"><label for="q-dari">Diterima dari</label><input id="q-dari" name="dari" type="date" value="{{q.dari}}"></div>
          <div class="field"><label for="q-sampai">sampai</label><input id="q-sampai" name="sampai" type="date" value="{{q.sampai}}"></div>
          <div class="field"><button type="submit">Cari</button></div>
        </form>
        {{#searched}}
        {{^rows}}<div class="card"><p>Tidak ada permohonan yang cocok.</p></div>{{/rows}}
        {{#hasRows}}
        <table class="queue">
          <thead><tr><th scope="col">Nomor</th><th scope="col">Layanan</th><th scope="col">Pemohon</th><th scope="col">Status</th><th scope="col">Diterima</th><th scope="col">Jatuh tempo</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td><a class="nomor" href="/permohonan/{{number}}">{{number}}</a></td><td>{{layanan}}</td><td>{{nama}}<br><span class="muted">NIK {{nik}}</span></td><td>{{status}}</td><td>{{accepted}}</td><td><span class="due {{dueLevel}}">{{dueText}}</span></td></tr>{{/rows}}
          </tbody>
        </table>
        <div class="pager">{{#previous}}<a class="button secondary" href="{{previous}}">&larr; Sebelumnya</a>{{/previous}}{{#next}}<a class="button secondary" href="{{next}}">Berikutnya &rarr;</a>{{/next}}</div>
        {{/hasRows}}
        {{/searched}}
        """

    static let petugas = AccountAdmin<OfficerRole>.template

    static let pesan = """
        <div class="card"><h1>{{heading}}</h1><p>{{text}}</p><p><a href="{{back}}">{{backLabel}}</a></p></div>
        """
}
