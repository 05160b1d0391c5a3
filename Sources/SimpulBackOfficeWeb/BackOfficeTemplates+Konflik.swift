extension BackOfficeTemplates {
    /// The conflicts page, merged into `all`.
    static let konflik: [String: String] = ["konflik": konflikPage]

    static let konflikPage = """
        <h1>Konflik{{#number}} permohonan <span class="nomor">{{number}}</span>{{/number}}</h1>
        <p class="muted">Dua catatan pada satu permohonan yang ditulis tanpa saling tahu (di loket kecamatan dan di PTSP) dan tidak bisa berlaku keduanya. Semua node sampai pada keadaan yang sama; penyelesaian menetapkan keadaan lanjutan dan ikut tersinkron ke kecamatan.</p>
        <p><a class="button secondary" href="{{toggle}}">{{toggleLabel}}</a>{{#number}} <a class="button secondary" href="/permohonan/{{number}}">Buka berkas {{number}}</a> <a class="button secondary" href="/konflik">Semua permohonan</a>{{/number}}</p>
        {{#readOnlyText}}<div class="card"><p class="muted">{{readOnlyText}}</p></div>{{/readOnlyText}}
        {{^hasConflicts}}<div class="card"><p>{{emptyText}}</p></div>{{/hasConflicts}}
        {{#conflicts}}
        <section class="card konflik{{^open}} selesai{{/open}}" id="{{anchor}}" aria-labelledby="{{anchor}}-judul">
          <h2 id="{{anchor}}-judul"><a class="nomor" href="/permohonan/{{number}}">{{number}}</a> &middot; {{kecamatan}} {{#open}}<span class="tag warn">terbuka</span>{{/open}}{{^open}}<span class="tag">sudah diselesaikan</span>{{/open}}</h2>
          <dl class="facts">
            <dt>Terjadi</dt><dd>{{when}} <span class="muted">(sisi yang terakhir ditulis)</span></dd>
            <dt>Sebab</dt><dd>{{reason}}</dd>
            <dt>Keadaan sekarang</dt><dd>{{state}}</dd>
            <dt>Id konflik</dt><dd class="nomor">{{id}}</dd>
          </dl>
          <div class="grid">
            <div class="card">
              <h3>Sisi 1: lebih dulu dalam urutan lipat</h3>
              <ol class="timeline">{{#sideOne}}<li><div class="when">{{when}} &middot; {{officer}} ({{role}})</div><div>{{what}}</div><div class="dot">{{writer}} &middot; {{dot}}</div></li>{{/sideOne}}</ol>
            </div>
            <div class="card">
              <h3>Sisi 2: ditulis tanpa melihat sisi 1 &middot; {{#sideTwoApplied}}<span class="tag">{{sideTwoFate}}</span>{{/sideTwoApplied}}{{^sideTwoApplied}}<span class="tag warn">{{sideTwoFate}}</span>{{/sideTwoApplied}}</h3>
              <ol class="timeline">{{#sideTwo}}<li><div class="when">{{when}} &middot; {{officer}} ({{role}})</div><div>{{what}}</div><div class="dot">{{writer}} &middot; {{dot}}</div></li>{{/sideTwo}}</ol>
            </div>
          </div>
          {{#settled}}<p><strong>Diselesaikan</strong> {{when}} oleh {{officer}} ({{role}}): {{what}}</p>{{/settled}}
          {{#canSettle}}
          <div class="actions">
          <form class="stack" method="post" action="/konflik/selesaikan" data-confirm="Selesaikan konflik pada {{number}}? Keadaan lanjutan dikirim ke loket kecamatan.">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="konflik" value="{{id}}">
            <label for="{{anchor}}-status">Lanjutkan dengan status</label>
            <select id="{{anchor}}-status" name="status" required>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>
            <label for="{{anchor}}-tahap">Tahap yang menunggu (hanya untuk status Diproses)</label>
            <select id="{{anchor}}-tahap" name="tahap"><option value="">-</option>{{#tahap}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tahap}}</select>
            <label for="{{anchor}}-catatan">Alasan penyelesaian (wajib)</label>
            <textarea id="{{anchor}}-catatan" name="catatan" required></textarea>
            <p><button type="submit">Selesaikan konflik</button></p>
          </form>
          </div>
          {{/canSettle}}
        </section>
        {{/conflicts}}
        """
}
