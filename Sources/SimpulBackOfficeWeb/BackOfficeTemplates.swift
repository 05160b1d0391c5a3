/// The back office's pages as Mustache templates, on the counter's style sheet and script
/// (`WebAssets`). `{{x}}` is escaped; `{{{body}}}` is only ever a page this program rendered.
enum BackOfficeTemplates {
    static let all: [String: String] = [
        "frame": frame, "login": login, "ringkasan": ringkasan, "berkas": berkas, "permohonan": permohonan,
        "pesan": pesan,
    ].merging(konflik) { own, _ in own }

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
            {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}{{#count}}<span class="count" aria-label="{{.}} terbuka">{{.}}</span>{{/count}}</a>{{/nav}}
          </nav>
          <span class="who">{{officer}}</span>
          <form method="post" action="/keluar"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Keluar</button></form>
        </header>
        <div class="strip" role="status" aria-label="Keadaan sinkron kecamatan">
          {{#strip.readable}}
          <span>Kecamatan sinkron 24 jam terakhir: <strong>{{strip.heard}} dari {{strip.known}}</strong></span>
          <span>Kontak terakhir: {{strip.lastContact}}</span>
          <span>Event parkir: {{strip.parked}} change set</span>
          <span>Konflik terbuka: {{strip.conflicts}}</span>
          {{/strip.readable}}
          {{^strip.readable}}<span class="down">Keadaan sinkron tidak terbaca</span>{{/strip.readable}}
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
          <p class="muted">Back office PTSP {{office}}</p>
          <form class="stack" method="post" action="/masuk">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="username">Nama pengguna</label>
            <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" required autofocus value="{{username}}">
            <label for="password">Kata sandi</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <p><button type="submit">Masuk</button></p>
          </form>
        </div>
        """

    static let ringkasan = """
        <h1>Ringkasan kecamatan</h1>
        <div class="card grid" aria-label="Jumlah seluruh kecamatan">
          <dl class="facts">
            <dt>Berkas menunggu di PTSP</dt><dd><a href="/berkas">{{totalWaiting}}</a></dd>
            <dt>Lewat jatuh tempo</dt><dd>{{#anyLate}}<a href="/berkas?jatuh-tempo=terlambat"><span class="due merah">{{totalLate}} TERLAMBAT</span></a>{{/anyLate}}{{^anyLate}}0{{/anyLate}}</dd>
            <dt>Tertahan &gt; {{ageingDays}} hari kerja di satu kode</dt><dd>{{totalAgeing}}</dd>
          </dl>
          <dl class="facts">
            <dt>Retribusi {{month}}</dt><dd>{{totalFees}}</dd>
            <dt>Konflik terbuka</dt><dd>{{totalConflicts}}</dd>
            <dt>Event parkir</dt><dd>{{totalParked}} change set</dd>
          </dl>
        </div>
        {{#empty}}<div class="card"><p>Belum ada kecamatan yang terdaftar atau mengirim berkas.</p></div>{{/empty}}
        {{^empty}}
        <p class="muted">Kecamatan yang tidak sinkron lebih dari {{staleDays}} hari ditandai DIAM. Tertahan: berkas yang lebih dari {{ageingDays}} hari kerja di satu kode OSS (atau sejak diteruskan, bila belum berkode).</p>
        <table class="queue">
          <thead><tr><th scope="col">Kecamatan</th><th scope="col" class="num">Menunggu di PTSP</th><th scope="col">Per kode OSS</th><th scope="col" class="num">Lewat jatuh tempo</th><th scope="col" class="num">Tertahan &gt; {{ageingDays}} hari kerja</th><th scope="col" class="num">Konflik terbuka</th><th scope="col" class="num">Retribusi {{month}}</th><th scope="col">Kontak terakhir</th><th scope="col" class="num">Event parkir</th></tr></thead>
          <tbody>
          {{#rows}}
            <tr{{#stale}} class="stale"{{/stale}}>
              <td><a href="/berkas?kecamatan={{code}}"><strong>{{name}}</strong></a><br><span class="muted nomor">{{code}}</span></td>
              <td class="num" data-label="Menunggu di PTSP">{{waiting}}</td>
              <td data-label="Per kode OSS">{{#codes}}<span class="tag">{{.}}</span> {{/codes}}</td>
              <td class="num" data-label="Lewat jatuh tempo">{{#hasLate}}<a href="/berkas?kecamatan={{code}}&amp;jatuh-tempo=terlambat"><span class="due merah">{{late}} terlambat</span></a>{{/hasLate}}{{^hasLate}}0{{/hasLate}}</td>
              <td class="num" data-label="Tertahan &gt; {{ageingDays}} hari kerja">{{#hasAgeing}}<span class="due kuning">{{ageing}} tertahan</span>{{/hasAgeing}}{{^hasAgeing}}0{{/hasAgeing}}</td>
              <td class="num" data-label="Konflik terbuka">{{#hasConflicts}}<span class="due kuning">{{conflicts}}</span>{{/hasConflicts}}{{^hasConflicts}}0{{/hasConflicts}}</td>
              <td class="num" data-label="Retribusi {{month}}">{{fees}}</td>
              <td data-label="Kontak terakhir">{{contact}}{{#contactNote}}<br><span class="due merah">{{contactNote}}</span>{{/contactNote}}</td>
              <td class="num" data-label="Event parkir">{{parked}}</td>
            </tr>
          {{/rows}}
          </tbody>
        </table>
        {{/empty}}
        """

    static let berkas = """
        <h1>Berkas diteruskan</h1>
        <form class="card filters" method="get" action="/berkas">
          <div class="field"><label for="q-kecamatan">Kecamatan</label><select id="q-kecamatan" name="kecamatan"><option value="">Semua</option>{{#kecamatan}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kecamatan}}</select></div>
          <div class="field"><label for="q-layanan">Layanan</label><select id="q-layanan" name="layanan"><option value="">Semua</option>{{#services}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/services}}</select></div>
          <div class="field"><label for="q-kode">Kode OSS</label><select id="q-kode" name="kode"><option value="">Semua</option>{{#codes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/codes}}</select></div>
          <div class="field"><label for="q-status">Status</label><select id="q-status" name="status"><option value="">Menunggu di PTSP</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
          <div class="field"><label for="q-jatuh-tempo">Jatuh tempo</label><select id="q-jatuh-tempo" name="jatuh-tempo"><option value="">Semua</option>{{#dues}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/dues}}</select></div>
          <div class="field"><label for="q-dari">Diterima dari</label><input id="q-dari" name="dari" type="date" value="{{dari}}"></div>
          <div class="field"><label for="q-sampai">sampai</label><input id="q-sampai" name="sampai" type="date" value="{{sampai}}"></div>
          <div class="field"><label for="q-urut">Urutkan menurut</label><select id="q-urut" name="urut">{{#sorts}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sorts}}</select></div>
          <div class="field"><label for="q-arah">Arah</label><select id="q-arah" name="arah">{{#directions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/directions}}</select></div>
          <div class="field"><button type="submit">Saring</button></div>
        </form>
        <p><span class="muted">{{total}} berkas cocok, {{orderText}}. {{pageText}}.</span> <a class="button secondary" href="{{csv}}" download>Unduh CSV</a> <a class="button secondary" href="{{xlsx}}" download>Unduh XLSX</a></p>
        {{^hasRows}}<div class="card"><p>Tidak ada berkas yang cocok dengan saringan ini.</p></div>{{/hasRows}}
        {{#hasRows}}
        <table class="queue">
          <thead><tr>{{#headers}}<th scope="col"{{#ariaSort}} aria-sort="{{ariaSort}}"{{/ariaSort}}>{{#href}}<a href="{{href}}" title="{{hint}}">{{label}}{{#arrow}} <span aria-hidden="true">{{arrow}}</span>{{/arrow}}</a>{{/href}}{{^href}}{{label}}{{/href}}</th>{{/headers}}</tr></thead>
          <tbody>
          {{#rows}}
            <tr>
              <td><a class="nomor" href="/permohonan/{{number}}">{{number}}</a><br><span class="muted">{{status}}</span></td>
              <td data-label="Kecamatan">{{kecamatan}}</td>
              <td>{{layanan}}</td>
              <td>{{nama}}<br><span class="muted">NIK {{nik}}</span></td>
              <td data-label="Kode OSS">{{code}}</td>
              <td data-label="Diterima">{{accepted}}</td>
              <td data-label="Jatuh tempo">{{dueDate}}<br><span class="due {{dueLevel}}">{{dueText}}</span></td>
            </tr>
          {{/rows}}
          </tbody>
        </table>
        {{/hasRows}}
        <div class="pager">{{#previous}}<a class="button secondary" href="{{previous}}">&larr; Sebelumnya</a>{{/previous}}{{#next}}<a class="button secondary" href="{{next}}">Berikutnya &rarr;</a>{{/next}}</div>
        """

    static let permohonan = """
        <p class="no-print"><a href="/berkas">&larr; Kembali ke berkas diteruskan</a></p>
        <h1><span class="nomor">{{number}}</span> &middot; {{layananName}}</h1>
        <div class="card grid">
          <dl class="facts">
            <dt>Kecamatan</dt><dd>{{kecamatan}}</dd>
            <dt>Pemohon</dt><dd>{{nama}}</dd>
            <dt>NIK</dt><dd>{{nik}}</dd>
            {{#alamat}}<dt>Alamat</dt><dd>{{alamat}}</dd>{{/alamat}}
            {{#telepon}}<dt>Telepon</dt><dd>{{telepon}}</dd>{{/telepon}}
            <dt>Layanan</dt><dd>{{layananCode}} - {{layananName}}</dd>
          </dl>
          <dl class="facts">
            <dt>Diterima</dt><dd>{{accepted}}</dd>
            <dt>Selesai paling lambat</dt><dd>{{dueDate}} <span class="due {{dueLevel}}">{{dueText}}</span></dd>
            <dt>Status</dt><dd>{{status}}</dd>
            <dt>Kode OSS</dt><dd>{{#ptspCode}}{{ptspCode}}{{/ptspCode}}{{^ptspCode}}belum ada{{/ptspCode}}</dd>
            <dt>Retribusi</dt><dd>{{fee}}</dd>
            {{#receipts}}<dt>Kuitansi</dt><dd>{{receipts}}</dd>{{/receipts}}
            {{#reason}}<dt>Alasan</dt><dd>{{reason}}</dd>{{/reason}}
          </dl>
        </div>
        {{#conflictNotice}}<div class="card" role="note"><span class="tag warn">KONFLIK</span> {{conflictNotice}} <a href="/konflik?nomor={{number}}">Lihat konflik</a></div>{{/conflictNotice}}
        <h2>Tindakan</h2>
        {{#noActionText}}<div class="card"><p class="muted">{{noActionText}}</p></div>{{/noActionText}}
        <div class="actions">
        {{#canProgress}}
          <form class="stack" method="post" action="/permohonan/{{number}}/aksi">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="aksi" value="kode">
            <label for="kode-proses">Kode proses OSS</label>
            <select id="kode-proses" name="kode" required>{{#progressCodes}}<option value="{{value}}">{{label}}</option>{{/progressCodes}}</select>
            <label for="catatan-proses">Catatan (boleh kosong)</label>
            <textarea id="catatan-proses" name="catatan"></textarea>
            <p><button type="submit">Catat kode proses</button></p>
          </form>
        {{/canProgress}}
        {{#canDecide}}
          <form class="stack" method="post" action="/permohonan/{{number}}/aksi" data-confirm="Putuskan berkas {{number}}? Keputusan dikirim ke loket kecamatan.">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="aksi" value="putuskan">
            <label for="kode-keputusan">Keputusan (kode OSS)</label>
            <select id="kode-keputusan" name="kode" required>{{#decisionCodes}}<option value="{{value}}">{{label}}</option>{{/decisionCodes}}</select>
            {{#feeSetHere}}<label for="retribusi">Retribusi yang ditetapkan PTSP (rupiah, mis. 150.000; untuk keputusan yang menyetujui)</label>
            <input id="retribusi" name="retribusi" type="text" inputmode="numeric">{{/feeSetHere}}
            <label for="catatan-keputusan">Catatan (boleh kosong)</label>
            <textarea id="catatan-keputusan" name="catatan"></textarea>
            <p><button type="submit">Putuskan</button></p>
          </form>
        {{/canDecide}}
        </div>
        {{#issuedDue}}
        <h2>Dokumen terbit</h2>
        <div class="card">
          {{#issued}}
          <p>Nomor <strong>{{number}}</strong> &middot; {{name}} ({{size}}) &middot; <span class="muted">dilampirkan {{attachedBy}}</span></p>
          {{#complete}}<p><a href="/lampiran/{{sha}}" target="_blank" rel="noopener">Buka dokumen</a> &middot; <a href="/lampiran/{{sha}}?unduh=1">Unduh</a></p>{{/complete}}
          <p class="muted">Dokumen ini dikirim ke loket kecamatan pada sinkron berikutnya, untuk dicetak dan diserahkan kepada pemohon.</p>
          {{/issued}}
          {{^issued}}<p class="muted">Belum ada dokumen terbit. Unggah izin yang sudah ditandatangani (PDF) agar loket kecamatan bisa mencetak dan menyerahkannya.</p>{{/issued}}
          {{#canIssue}}
          <form class="stack" method="post" action="/permohonan/{{number}}/dokumen-terbit" data-upload="/permohonan/{{number}}/dokumen-terbit">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="nomor-dokumen">Nomor dokumen</label>
            <input id="nomor-dokumen" name="nomor-dokumen" type="text" maxlength="100" required placeholder="mis. 503/0123/DPMPTSP/2026">
            <label for="berkas-terbit">{{#issued}}Ganti dengan dokumen perbaikan{{/issued}}{{^issued}}Dokumen terbit{{/issued}} (PDF bertanda tangan, paling besar 20 MB)</label>
            <input id="berkas-terbit" name="berkas" type="file" accept="application/pdf" required>
            <p><progress value="0" max="1" aria-label="Kemajuan unggahan"></progress> <span class="upload-status" role="status"></span></p>
            <p><button type="submit">Unggah dokumen terbit</button></p>
          </form>
          {{/canIssue}}
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
        </div>
        <h2>Riwayat</h2>
        <div class="card">
          <ol class="timeline">
          {{#history}}<li><div class="when">{{when}} &middot; {{officer}} ({{role}})</div><div>{{what}}</div><div class="dot">{{dot}}</div></li>{{/history}}
          </ol>
        </div>
        """

    static let pesan = """
        <div class="card"><h1>{{heading}}</h1><p>{{text}}</p><p><a href="{{back}}">{{backLabel}}</a></p></div>
        """
}
