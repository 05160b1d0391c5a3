import Hummingbird

/// The style sheet and the little script both front ends use, compiled into the binary: an office
/// with no internet gets every byte from this server.
public enum WebAssets {
    public static let css = """
        :root { --ink: #1b1f24; --muted: #4d5560; --line: #c9ced6; --paper: #ffffff; --ground: #f1f3f6;
          --brand: #0b4f8a; --brand-ink: #ffffff; --green: #1d6b32; --green-bg: #e2f3e6; --amber: #7a4b00;
          --amber-bg: #fff1cc; --red: #9b1c1c; --red-bg: #fde2e2; --focus: #ffbf47; }
        * { box-sizing: border-box; }
        html { font-size: 17px; }
        body { margin: 0; font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
          color: var(--ink); background: var(--ground); line-height: 1.45; }
        a { color: var(--brand); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus {
          outline: 3px solid var(--focus); outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: var(--paper); padding: 8px; z-index: 9; }
        header.bar { background: var(--brand); color: var(--brand-ink); display: flex; flex-wrap: wrap;
          align-items: center; gap: 4px 18px; padding: 8px 18px; }
        header.bar .office { font-weight: 700; font-size: 1.05rem; margin-right: auto; }
        header.bar nav { display: flex; flex-wrap: wrap; gap: 4px; }
        header.bar nav a { color: var(--brand-ink); text-decoration: none; padding: 8px 12px; border-radius: 6px; }
        header.bar nav a[aria-current="page"], header.bar nav a:hover { background: rgba(255,255,255,.18); }
        .count { display: inline-block; min-width: 1.6em; padding: 0 6px; margin-left: 4px; border-radius: 10px;
          background: var(--paper); color: var(--brand); font-weight: 700; font-size: .85rem; text-align: center; }
        header.bar form { margin: 0; }
        header.bar .who { font-size: .9rem; }
        .strip { display: flex; flex-wrap: wrap; gap: 4px 22px; padding: 6px 18px; font-size: .88rem;
          background: #e6ebf1; border-bottom: 1px solid var(--line); }
        .strip .up { color: var(--green); font-weight: 700; } .strip .down { color: var(--red); font-weight: 700; }
        .strip form { margin: 0; display: inline; }
        main { max-width: 1320px; margin: 0 auto; padding: 16px 18px 40px; }
        h1 { font-size: 1.45rem; margin: 4px 0 14px; } h2 { font-size: 1.15rem; margin: 22px 0 10px; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 14px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 6px 24px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-weight: 600; }
        table { width: 100%; border-collapse: collapse; background: var(--paper); }
        th, td { text-align: left; padding: 9px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f5; font-size: .9rem; } td.num, th.num { text-align: right; } td.num { white-space: nowrap; }
        tr:hover td { background: #f7f9fb; }
        .nomor { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; font-weight: 700; }
        .due { display: inline-block; padding: 2px 8px; border-radius: 6px; font-weight: 700; font-size: .9rem; white-space: nowrap; }
        .due.hijau { background: var(--green-bg); color: var(--green); }
        .due.kuning { background: var(--amber-bg); color: var(--amber); }
        .due.merah { background: var(--red-bg); color: var(--red); }
        .due.netral { background: #eceff3; color: var(--muted); }
        tr.late td { background: var(--red-bg); }
        .flash { padding: 12px 14px; border-radius: 8px; margin-bottom: 14px; font-weight: 600; }
        .flash.ok { background: var(--green-bg); color: var(--green); border: 1px solid #9bd0a8; }
        .flash.err { background: var(--red-bg); color: var(--red); border: 1px solid #f1a7a7; }
        form.stack label, .field label, .actions label { display: block; font-weight: 600; margin: 10px 0 4px; }
        input[type=text], input[type=password], input[type=number], input[type=date], input[type=search], select, textarea {
          width: 100%; max-width: 520px; font: inherit; padding: 9px 10px; border: 1px solid #8a93a0; border-radius: 6px; background: #fff; }
        textarea { min-height: 70px; }
        .hint { color: var(--muted); font-size: .88rem; margin: 3px 0 0; }
        .hint.bad { color: var(--red); font-weight: 600; } .hint.good { color: var(--green); font-weight: 600; }
        button, .button { display: inline-block; font: inherit; font-weight: 700; padding: 11px 18px; min-height: 44px;
          border-radius: 8px; border: 1px solid var(--brand); background: var(--brand); color: var(--brand-ink);
          cursor: pointer; text-decoration: none; }
        button.secondary, .button.secondary { background: var(--paper); color: var(--brand); }
        button.danger { background: var(--red); border-color: var(--red); }
        header.bar button { background: transparent; border-color: rgba(255,255,255,.6); padding: 6px 12px; min-height: 36px; }
        .actions { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
        .actions form { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 12px; flex: 1 1 300px; }
        .actions form textarea, .actions form input { max-width: none; }
        fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px 12px; margin: 12px 0; }
        legend { font-weight: 700; padding: 0 6px; }
        .check { display: flex; gap: 10px; align-items: center; padding: 6px 0; }
        .check input { width: 22px; height: 22px; }
        form.inline { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
        form.inline input { width: auto; }
        ol.timeline { list-style: none; padding: 0; margin: 0; }
        ol.timeline li { border-left: 3px solid var(--brand); padding: 4px 0 10px 14px; margin-left: 6px; }
        ol.timeline .when { color: var(--muted); font-size: .88rem; } ol.timeline .dot { color: var(--muted); font-size: .75rem; }
        .filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: flex-end; }
        .filters .field { flex: 1 1 170px; } .filters .field input, .filters .field select { max-width: none; }
        .pager { display: flex; gap: 10px; margin-top: 12px; }
        progress { width: 100%; max-width: 520px; height: 18px; }
        .scans { display: flex; flex-wrap: wrap; gap: 12px; }
        .scan { border: 1px solid var(--line); border-radius: 8px; padding: 8px; background: #fafbfc; max-width: 100%; }
        .scan img { max-width: 420px; max-height: 320px; display: block; }
        .scan object { width: 420px; height: 320px; display: block; }
        .login { max-width: 420px; margin: 60px auto; }
        .muted { color: var(--muted); }
        .tag.warn { background: var(--amber-bg); color: var(--amber); font-weight: 700; }
        details summary { cursor: pointer; color: var(--brand); margin-top: 6px; }
        .tag { display: inline-block; padding: 1px 7px; border-radius: 5px; background: #e3e9f1; font-size: .85rem; margin: 1px 2px; white-space: nowrap; }
        tr.stale td { background: #fff6f6; }
        @media (max-width: 900px) { html { font-size: 16px; } main { padding: 12px; }
          table.queue thead { display: none; } table.queue tr { display: block; border-bottom: 2px solid var(--line); }
          table.queue td { display: block; border: 0; padding: 4px 10px; }
          table.queue td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 400; }
          table.queue td.num { text-align: left; } .scan img, .scan object { max-width: 100%; width: 100%; } }
        @media print { header.bar, .strip, .actions, .no-print { display: none; } body { background: #fff; } }
        """

    public static let javascript = """
        "use strict";
        // Only what the server cannot do: live checks while typing, upload progress, confirmations.
        document.addEventListener("DOMContentLoaded", function () {
          document.querySelectorAll("[data-print]").forEach(function (button) {
            button.addEventListener("click", function () { window.print(); });
          });
          document.querySelectorAll("form[data-confirm]").forEach(function (form) {
            form.addEventListener("submit", function (e) {
              if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
            });
          });
          var check = document.querySelector("form[data-check]");
          if (check) {
            var timer = null;
            var run = function () {
              var params = new URLSearchParams();
              check.querySelectorAll("[name=nik], [name=layanan], [name^='isian.']").forEach(function (el) {
                params.append(el.name, el.value);
              });
              fetch(check.getAttribute("data-check") + "?" + params.toString(), { credentials: "same-origin" })
                .then(function (r) { return r.json(); })
                .then(function (answer) {
                  Object.keys(answer).forEach(function (key) {
                    var out = document.getElementById("periksa-" + key);
                    if (!out) { return; }
                    out.textContent = answer[key].text;
                    out.className = "hint " + (answer[key].ok ? "good" : "bad");
                  });
                })
                .catch(function () {});
            };
            check.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
            run();
          }
          var screen = document.body.getAttribute("data-screen");
          if (screen) {
            // The waiting-room TV: redraw from the server every two seconds; a lost link keeps the last state.
            var last = document.getElementById("now-code").textContent;
            var draw = function (state) {
              var code = state.current ? state.current.code : "-";
              document.getElementById("now-code").textContent = code;
              document.getElementById("now-desk").textContent = state.current ? "ke " + state.current.desk : "Belum ada panggilan";
              var list = document.getElementById("recent");
              list.textContent = "";
              state.recent.forEach(function (c) {
                var li = document.createElement("li");
                var strong = document.createElement("strong");
                strong.textContent = c.code;
                var at = document.createElement("span");
                at.textContent = c.at;
                li.append(strong, " " + c.desk + " ", at);
                list.append(li);
              });
              document.getElementById("waiting").textContent = state.waiting;
              var key = code + (state.current ? state.current.at + state.current.desk : "");
              if (key !== last) {
                last = key;
                var now = document.querySelector(".now");
                now.classList.remove("flash");
                void now.offsetWidth;
                now.classList.add("flash");
              }
            };
            setInterval(function () {
              fetch(screen, { cache: "no-store" }).then(function (r) { return r.json(); }).then(draw).catch(function () {});
            }, 2000);
          }
          document.querySelectorAll("form[data-upload]").forEach(function (form) {
            form.addEventListener("submit", function (e) {
              var input = form.querySelector("input[type=file]");
              if (!input || !input.files.length) { return; }
              e.preventDefault();
              var file = input.files[0];
              var bar = form.querySelector("progress");
              var status = form.querySelector(".upload-status");
              var syarat = form.querySelector("select[name=syarat]");
              var nomor = form.querySelector("input[name=nomor-dokumen]");
              var url = form.getAttribute("data-upload") + "?nama=" + encodeURIComponent(file.name) +
                (syarat && syarat.value ? "&syarat=" + encodeURIComponent(syarat.value) : "") +
                (nomor ? "&nomor=" + encodeURIComponent(nomor.value) : "");
              var send = function () {
                var xhr = new XMLHttpRequest();
                xhr.open("POST", url);
                xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
                xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=csrf]").value);
                xhr.upload.onprogress = function (p) {
                  if (p.lengthComputable) { bar.max = p.total; bar.value = p.loaded;
                    status.textContent = "Mengunggah " + Math.round(100 * p.loaded / p.total) + "%"; }
                };
                xhr.onload = function () {
                  if (xhr.status === 200) { status.textContent = "Tersimpan."; window.location.reload(); }
                  else { status.textContent = xhr.responseText || ("Gagal (" + xhr.status + ")"); form.classList.add("failed"); }
                };
                xhr.onerror = function () {
                  status.textContent = "Sambungan terputus. Tekan Unggah lagi untuk mengulang.";
                  form.classList.add("failed");
                };
                xhr.send(file);
              };
              send();
            });
          });
        });
        """

    /// Printed papers: black on white, the office's letterhead, the QR code; `@page` sets the paper, so
    /// each paper size is a sheet of its own (a style sheet cannot choose `@page` by class).
    static let printCSS = """
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; background: #fff; }
        .paper { margin: 0 auto; }
        .letterhead { text-align: center; border-bottom: 2px solid #000; padding-bottom: 2mm; margin-bottom: 3mm; }
        .letterhead .office { font-weight: 700; text-transform: uppercase; }
        h1 { text-align: center; margin: 2mm 0; letter-spacing: .05em; }
        .copy { text-align: center; font-weight: 700; border: 2px solid #000; padding: 1mm; margin: 2mm 0; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 3mm; margin: 0 0 3mm; }
        dt { font-weight: 400; } dd { margin: 0; font-weight: 700; overflow-wrap: anywhere; }
        ul { margin: 0; padding-left: 5mm; }
        .qr { display: flex; gap: 3mm; align-items: center; margin-top: 3mm; page-break-inside: avoid; }
        .qr .code { font-family: "DejaVu Sans Mono", monospace; font-weight: 700; overflow-wrap: anywhere; }
        .note { margin-top: 3mm; }
        .words { font-style: italic; }
        .toolbar { text-align: center; padding: 4mm; }
        .toolbar button { font: inherit; font-weight: 700; padding: 3mm 6mm; }
        @media print { .toolbar { display: none; } }
        """

    public static let printA5CSS =
        printCSS + """
            @page { size: A5 portrait; margin: 10mm; }
            body { font-size: 10.5pt; } h1 { font-size: 14pt; } .letterhead .office { font-size: 13pt; }
            """

    /// A 58 mm roll prints 48 mm wide; the page is long enough for the longest tanda terima.
    public static let print58CSS =
        printCSS + """
            @page { size: 58mm 240mm; margin: 2mm 3mm; }
            body { font-size: 7.5pt; width: 52mm; } h1 { font-size: 9pt; } .letterhead .office { font-size: 8pt; }
            dl { grid-template-columns: 1fr; gap: 0; } dd { margin-bottom: 1mm; }
            .qr { flex-direction: column; }
            """

    /// The information board (papan informasi): large type for a wall or a TV, on A4 or A3 when printed.
    static let boardCSS = """
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; background: #fff; }
        header { background: #0b4f8a; color: #fff; padding: 4mm 6mm; }
        header h1 { margin: 0; font-size: 20pt; } header p { margin: 1mm 0 0; }
        .services { display: grid; grid-template-columns: repeat(auto-fill, minmax(90mm, 1fr)); gap: 4mm; padding: 5mm; }
        .service { border: 1.5px solid #0b4f8a; border-radius: 3mm; padding: 3mm 4mm; page-break-inside: avoid; }
        .service h2 { margin: 0 0 2mm; font-size: 13pt; color: #0b4f8a; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 3mm; margin: 0; font-size: 10pt; }
        dt { font-weight: 700; } dd { margin: 0; } ul { margin: 0; padding-left: 4mm; } ol.flow { margin: 0; padding-left: 5mm; }
        footer { border-top: 2px solid #0b4f8a; margin: 0 5mm; padding: 3mm 0 6mm; font-size: 11pt; }
        .toolbar { padding: 3mm 6mm; } @media print { .toolbar { display: none; } }
        """

    /// A queue ticket: a short page of a 58 mm roll, the number large.
    static let ticketCSS =
        printCSS + """
            @page { size: 58mm 90mm; margin: 2mm 3mm; }
            body { font-size: 8pt; width: 52mm; text-align: center; } .letterhead .office { font-size: 8pt; }
            .ticket p { margin: 1.5mm 0; } .ticket .label { font-weight: 700; letter-spacing: .1em; }
            .ticket .number { font-size: 30pt; font-weight: 700; margin: 2mm 0; } .ticket .group { font-weight: 700; }
            .ticket .note { font-size: 7pt; }
            """

    /// The monthly report: a table on A4 landscape.
    static let reportCSS =
        printCSS + """
            @page { size: A4 landscape; margin: 12mm; }
            body { font-size: 9.5pt; } h1 { font-size: 13pt; } .letterhead .office { font-size: 12pt; }
            table { width: 100%; border-collapse: collapse; margin: 3mm 0; }
            th, td { border: 1px solid #000; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
            thead th { background: #eee; } tfoot th, tfoot td { font-weight: 700; }
            h2 { font-size: 11pt; margin: 5mm 0 1mm; } table.summary { width: auto; } table.summary th { font-weight: 400; }
            .sign { margin: 8mm 0 0 auto; width: 70mm; text-align: center; page-break-inside: avoid; } .sign .space { height: 18mm; }
            .toolbar a { margin-left: 3mm; }
            @media screen { .report { max-width: 277mm; padding: 0 6mm 10mm; } }
            """

    /// The survey on a tablet: every answer a large target for a finger, readable at arm's length.
    static let surveyCSS = """
        * { box-sizing: border-box; }
        body { margin: 0; font-family: system-ui, "Noto Sans", "DejaVu Sans", sans-serif; font-size: 20px; color: #1b1f24; background: #f1f3f6; line-height: 1.4; }
        .survey { max-width: 1100px; margin: 0 auto; padding: 20px 20px 48px; }
        h1 { font-size: 1.8rem; margin: 8px 0 8px; color: #0b4f8a; } .lead { font-size: 1.1rem; margin: 0 0 18px; }
        .problem { background: #fde2e2; color: #9b1c1c; border: 2px solid #9b1c1c; border-radius: 10px; padding: 12px 16px; font-weight: 700; }
        .question { background: #fff; border: 1px solid #c9ced6; border-radius: 12px; margin: 0 0 14px; padding: 12px 16px 16px; }
        .question legend { float: left; width: 100%; padding: 0; margin-bottom: 10px; font-weight: 700; font-size: 1.1rem; }
        .question legend .code { display: inline-block; min-width: 2.4em; color: #0b4f8a; }
        .question legend .ask { display: block; font-weight: 400; font-size: 1rem; color: #4d5560; }
        .choices { clear: both; display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
        .choice { position: relative; display: block; }
        .choice input { position: absolute; opacity: 0; width: 1px; height: 1px; }
        .choice span { display: flex; flex-direction: column; align-items: center; justify-content: center; text-align: center; min-height: 84px; padding: 8px; border: 3px solid #c9ced6; border-radius: 12px; background: #fff; font-size: 1rem; cursor: pointer; }
        .choice span b { font-size: 1.5rem; }
        .choice input:checked + span { border-color: #0b4f8a; background: #0b4f8a; color: #fff; }
        .choice input:focus-visible + span { outline: 4px solid #ffbf47; outline-offset: 2px; }
        .send { text-align: center; margin-top: 22px; }
        button, a.button { display: inline-block; min-width: 60%; min-height: 72px; padding: 16px 28px; border: 0; border-radius: 12px; background: #1d6b32; color: #fff; font-size: 1.4rem; font-weight: 700; text-decoration: none; cursor: pointer; }
        .thanks { text-align: center; padding-top: 18vh; } .thanks h1 { font-size: 3rem; }
        @media (max-width: 700px) { .choices { grid-template-columns: repeat(2, 1fr); } }
        """

    /// The call screen: readable across a waiting room.
    static let screenCSS = """
        * { box-sizing: border-box; }
        body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; background: #0b2f52; color: #fff; }
        header { padding: 2vh 4vw; background: #0b4f8a; } header h1 { margin: 0; font-size: 4vh; } header p { margin: .5vh 0 0; font-size: 2.4vh; }
        main { flex: 1; display: grid; grid-template-columns: 3fr 2fr; gap: 3vw; padding: 3vh 4vw; align-items: center; }
        .now { text-align: center; border: .6vh solid #ffd35c; border-radius: 2vh; padding: 3vh 2vw; }
        .now .label { font-size: 3.5vh; margin: 0; } .now .number { font-size: 22vh; font-weight: 700; margin: 1vh 0; color: #ffd35c; }
        .now .desk { font-size: 6vh; font-weight: 700; margin: 0; }
        .now.flash { animation: called 1s ease-in-out 3; } @keyframes called { 50% { background: #1d5f9c; box-shadow: 0 0 0 1.5vh #ffd35c; } }
        .recent h2 { font-size: 3.5vh; margin: 0 0 1vh; } .recent ol { list-style: none; margin: 0; padding: 0; font-size: 4vh; }
        .recent li { padding: 1vh 0; border-bottom: 1px solid #3d6a94; } .recent li span { float: right; color: #b9cde2; }
        footer { padding: 2vh 4vw; font-size: 3vh; background: #082340; }
        @media (max-width: 800px) { main { grid-template-columns: 1fr; } }
        """

    public static func response(_ path: String) -> Response? {
        let (body, type): (String, String)
        switch path {
        case "simpul.css": (body, type) = (css, "text/css; charset=utf-8")
        case "cetak-a5.css": (body, type) = (printA5CSS, "text/css; charset=utf-8")
        case "cetak-58.css": (body, type) = (print58CSS, "text/css; charset=utf-8")
        case "papan-a4.css":
            (body, type) = (boardCSS + "@page { size: A4 portrait; margin: 8mm; }", "text/css; charset=utf-8")
        case "papan-a3.css":
            (body, type) = (
                boardCSS + "@page { size: A3 portrait; margin: 10mm; } body { font-size: 12pt; }",
                "text/css; charset=utf-8"
            )
        case "tiket-58.css": (body, type) = (ticketCSS, "text/css; charset=utf-8")
        case "layar.css": (body, type) = (screenCSS, "text/css; charset=utf-8")
        case "laporan.css": (body, type) = (reportCSS, "text/css; charset=utf-8")
        case "survei.css": (body, type) = (surveyCSS, "text/css; charset=utf-8")
        case "simpul.js": (body, type) = (javascript, "text/javascript; charset=utf-8")
        default: return nil
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=3600"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
