#!/usr/bin/python3
"""Black-box browser tests of the kecamatan counter (`simpul web`), driven with Debian's chromium.

Each test starts the built `simpul` binary on a fresh data folder, serving on 127.0.0.1 with a port
the OS picks, and drives it with one headless chromium per officer (each its own session). Every page
a test visits is saved as a PNG under the output folder, to be looked at.

Usage: counter_web.py BIN_DIR [OUTPUT_DIR]
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else ".build/test-output/browser")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Tuesday 17 March 2026, 09:00 WIB: due dates and working days left are fixed (see the CLI tests).
NOW = "2026-03-17T09:00:00+07:00"
PASSWORD = "rahasia-loket-1"
# A valid NIK (Semarang, born 12 May 1990, serial 0001) and one whose month is 13.
NIK = "3374011205900001"
BAD_NIK = "3374011213900001"
# The smallest PNG: a scan stand-in the page shows inline.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d605a50000000049454e44ae426082")
# A one-page PDF: the izin the PTSP issues, as the hub attaches it.
IZIN_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
            b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
            b"4 0 obj<</Length 41>>stream\nBT /F1 24 Tf 72 760 Td (IZIN PBG) Tj ET\nendstream endobj\n"
            b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class Counter:
    """A node's data folder with officer accounts and its running `simpul web`."""

    def __init__(self, test, hub=None):
        self.root = tempfile.mkdtemp(prefix="simpul-browser-")
        self.data = os.path.join(self.root, "data")
        self.hub = hub
        # With a hub the clock is the real one (the hub checks it); alone, a fixed day.
        self.env = hub.env if hub else dict(os.environ, SIMPUL_NOW=NOW)
        extra = ["--hub", hub.url, "--hub-ca", os.path.join(hub.certs, "cert.pem"), "--json"] if hub else []
        made = self.simpul(["init", "--data", self.data, "--node", "33.74.01", "--name", "Kecamatan Semarang Tengah",
                            "--conf", os.path.join(REPO, "conf")] + extra)
        if hub:
            hub.run(["node", "enroll", "--data", hub.data, "--node", "33.74.01", "--public-key",
                     json.loads(made.stdout)["publicKey"]])
        self.process = None
        self.url = None
        test.addCleanup(self.stop)

    def simpul(self, args, stdin=None, check=True):
        result = subprocess.run([os.path.join(BIN, "simpul")] + args, input=stdin, capture_output=True, text=True,
                                env=self.env, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"simpul {' '.join(args)} -> {result.returncode}: {result.stderr}")
        return result

    def account(self, username, name, *roles):
        args = ["user", "add", "--data", self.data, "--username", username, "--nama", name]
        for role in roles:
            args += ["--peran", role]
        self.simpul(args, stdin=PASSWORD + "\n")

    def start(self, port=0):
        # With a hub: the agent and the pages in one process, syncing only when asked (a long interval).
        command = ["serve", "--interval", "86400", "--settle", "86400"] if self.hub else ["web"]
        self.process = subprocess.Popen(
            [os.path.join(BIN, "simpul")] + command + ["--data", self.data, "--web", f"127.0.0.1:{port}",
                                                       "--conf", os.path.join(REPO, "conf")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env)
        # The server prints one line once it listens: the event to wait on, not a sleep. The agent's
        # own lines (one per sync) may come first.
        for line in self.process.stdout:
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if match:
                self.url = match.group(1)
                return
        raise AssertionError("simpul did not announce its web address")

    def restart(self, now):
        """Stops the server and starts it again on the same data, address and port, with the clock at `now`."""
        port = int(self.url.rsplit(":", 1)[1])
        self.process.terminate()
        self.process.wait(timeout=30)
        self.env = dict(self.env, SIMPUL_NOW=now)
        self.start(port)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


class Hub:
    """A real `simpul-hub serve` over HTTPS on 127.0.0.1, with its own self-made certificate."""

    def __init__(self, test):
        self.root = tempfile.mkdtemp(prefix="simpul-browser-hub-")
        self.data = os.path.join(self.root, "hub")
        self.certs = os.path.join(self.root, "certs")
        # Real clocks on both sides: the hub refuses requests whose time is far from its own.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SIMPUL_")}
        self.run(["init", "--node", "33.74", "--name", "DPMPTSP Kota Semarang", "--conf",
                  os.path.join(REPO, "conf"), "--data", self.data])
        self.run(["dev-cert", "--out", self.certs, "--host", "localhost"])
        self.process = subprocess.Popen(
            [os.path.join(BIN, "simpul-hub"), "serve", "--data", self.data, "--listen", "127.0.0.1:0", "--tls-cert",
             os.path.join(self.certs, "cert.pem"), "--tls-key", os.path.join(self.certs, "key.pem")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env)
        line = self.process.stdout.readline()
        match = re.search(r"mendengarkan di (\S+)", line)
        if not match:
            raise AssertionError(f"simpul-hub serve did not start: {line!r}")
        self.url = match.group(1)
        test.addCleanup(self.stop)

    def run(self, args):
        result = subprocess.run([os.path.join(BIN, "simpul-hub")] + args, capture_output=True, text=True,
                                env=self.env, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"simpul-hub {' '.join(args)} -> {result.returncode}: {result.stderr}")
        return result

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


class Officer:
    """One officer at one desk: a browser of their own."""

    def __init__(self, test, counter, username):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768",
                     "--lang=id-ID", "--disable-dev-shm-usage"]:
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(60)
        test.addCleanup(self.driver.quit)
        self.test = test
        self.counter = counter
        self.username = username

    def open(self, path):
        self.driver.get(self.counter.url + path)

    def shot(self, name):
        os.makedirs(OUT, exist_ok=True)
        self.driver.save_screenshot(os.path.join(OUT, f"{self.test.id().split('.')[-1]}-{name}.png"))

    def login(self):
        self.open("/masuk")
        self.driver.find_element(By.ID, "username").send_keys(self.username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_for(lambda d: "/masuk" not in d.current_url)

    def wait_for(self, condition, timeout=20):
        return WebDriverWait(self.driver, timeout).until(condition)

    def wait_gone(self, element):
        """Waits for the page `element` belongs to to be replaced by the next one."""
        def gone(_):
            try:
                element.tag_name
                return False
            except WebDriverException:
                # Stale, or (while the next page loads) no longer in any document: gone either way.
                return True
        self.wait_for(gone)

    def text(self, selector="main"):
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def flash(self):
        return self.text(".flash")

    def button(self, label):
        for b in self.driver.find_elements(By.CSS_SELECTOR, "main button"):
            if b.text.strip() == label:
                return b
        raise AssertionError(f"no button {label!r} on {self.driver.current_url}; buttons: "
                             f"{[b.text for b in self.driver.find_elements(By.CSS_SELECTOR, 'main button')]}")

    def buttons(self):
        return [b.text.strip() for b in self.driver.find_elements(By.CSS_SELECTOR, "main .actions button")]

    def press(self, label, note=None, accept=True):
        button = self.button(label)
        form = button.find_element(By.XPATH, "./ancestor::form")
        if note is not None:
            form.find_element(By.TAG_NAME, "textarea").send_keys(note)
        page = self.driver.find_element(By.TAG_NAME, "html")
        confirms = form.get_attribute("data-confirm")
        button.click()
        if confirms:
            alert = self.wait_for(expected_conditions.alert_is_present())
            alert.accept() if accept else alert.dismiss()
        # The answer is a new page: wait for this one to go, then for the message on the next.
        self.wait_gone(page)
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))

    def register(self, layanan, nik=NIK, nama="Sri Rahayu", tick_all=True, isian=None):
        self.open("/daftar?layanan=" + layanan)
        boxes = self.driver.find_elements(By.CSS_SELECTOR, "input[name=syarat]")
        for box in boxes if tick_all else boxes[:-1]:
            box.click()
        self.driver.find_element(By.ID, "nik").send_keys(nik)
        self.driver.find_element(By.ID, "nama").send_keys(nama)
        self.driver.find_element(By.ID, "alamat").send_keys("Jl. Pemuda 12, Sekayu")
        for key, value in (isian or {}).items():
            self.driver.find_element(By.ID, "isian-" + key).send_keys(value)
        self.shot(f"daftar-{layanan}")
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.button("Daftarkan dan cetak tanda terima").click()
        self.wait_gone(page)
        self.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))

    def number(self):
        return self.text("h1 .nomor")

    def print_pdf(self, name):
        """Prints the page as chromium would to paper, with the page's own @page size; returns the PDF's path."""
        import base64
        answer = self.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, f"{self.test.id().split('.')[-1]}-{name}.pdf")
        with open(path, "wb") as f:
            f.write(base64.b64decode(answer["data"]))
        return path


def pdf_pages(path):
    """(pages, width in mm, height in mm) of a PDF, read by poppler's pdfinfo."""
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    return pages, round(width * 25.4 / 72), round(height * 25.4 / 72)


def qr_in_pdf(path):
    """The text of the QR code printed on a PDF's first page, as a phone or a counter scanner reads it."""
    png = path[:-4]
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", path, png], check=True)
    found = subprocess.run(["zbarimg", "--raw", "-q", png + ".png"], capture_output=True, text=True)
    return found.stdout.strip()


class CounterWebTests(unittest.TestCase):
    def counter(self, *accounts, hub=None):
        counter = Counter(self, hub=hub)
        for account in accounts:
            counter.account(*account)
        counter.start()
        return counter

    def test_delegated_flow_across_accounts(self):
        """SKTM from the loket to handover, each step by the officer holding its role."""
        counter = self.counter(
            ("siti", "Siti Aminah", "loket", "penyerahan"), ("budi", "Budi Santoso", "verifikasi"),
            ("rina", "Rina Wati", "operator"), ("agus", "Agus Salim", "kasi"), ("dewi", "Dewi Lestari", "sekcam"),
            ("camat", "Drs. Hartono", "camat"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.shot("antrean-loket-kosong")
        loket.register("SKTM")
        self.assertIn("terdaftar", loket.flash())
        number = loket.number()
        self.assertRegex(number, r"^01-26-\d{5}-\d$")
        loket.shot("permohonan-baru")
        self.assertIn("Verifikasi berkas", loket.text())

        for username, step_button in [("budi", "Selesaikan verifikasi berkas"),
                                      ("rina", "Selesaikan entri data dan cetak dokumen"),
                                      ("agus", "Selesaikan validasi kepala seksi pelayanan"),
                                      ("dewi", "Selesaikan validasi sekretaris camat"),
                                      ("camat", "Selesaikan pengesahan camat")]:
            officer = Officer(self, counter, username)
            officer.login()
            # The file waits in this officer's own queue, with a count in the navigation.
            self.assertIn(number, officer.text("table.queue"))
            self.assertEqual("1", officer.driver.find_element(By.CSS_SELECTOR, "nav .count").text)
            officer.shot(f"antrean-{username}")
            officer.driver.find_element(By.LINK_TEXT, number).click()
            officer.press(step_button, note=f"oleh {username}")
            self.assertIn("Tercatat", officer.flash())
            officer.shot(f"selesai-{username}")

        loket.open("/")
        self.assertIn(number, loket.text("table.queue"))
        loket.driver.find_element(By.LINK_TEXT, number).click()
        loket.press("Serahkan dokumen")
        self.assertIn("Dokumen diserahkan", loket.flash())
        history = loket.text("ol.timeline")
        for name in ["Siti Aminah (siti)", "Budi Santoso (budi)", "Rina Wati (rina)", "Agus Salim (agus)",
                     "Dewi Lestari (dewi)", "Drs. Hartono (camat)"]:
            self.assertIn(name, history)
        loket.shot("diserahkan")
        # A 10-inch tablet held upright at the loket.
        loket.driver.set_window_size(800, 1280)
        loket.shot("tablet-permohonan")
        loket.open("/cari?nama=sri")
        self.assertIn(number, loket.text("table"))
        loket.shot("tablet-cari")

    def test_operator_makes_the_letter_and_penyerahan_prints_it(self):
        """The operator makes the SKTM's letter (and a corrected one), the Camat sees it, penyerahan prints the newest."""
        counter = self.counter(
            ("siti", "Siti Aminah", "loket", "penyerahan"), ("budi", "Budi Santoso", "verifikasi"),
            ("rina", "Rina Wati", "operator"), ("agus", "Agus Salim", "kasi"), ("dewi", "Dewi Lestari", "sekcam"),
            ("camat", "Drs. Hartono", "camat"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("SKTM", nama="Sri Rahayu")
        number = loket.number()
        # Before the operator step there is no letter to make.
        self.assertNotIn("Buat surat", [b.text for b in loket.driver.find_elements(By.CSS_SELECTOR, "main button")])
        verifikator = Officer(self, counter, "budi")
        verifikator.login()
        verifikator.open("/permohonan/" + number)
        verifikator.press("Selesaikan verifikasi berkas")

        operator = Officer(self, counter, "rina")
        operator.login()
        operator.open("/permohonan/" + number)
        self.assertIn("Belum ada surat", operator.text(".card.letter"))
        operator.shot("operator-sebelum-surat")
        operator.press("Buat surat")
        self.assertIn("Surat nomor 400/0001/33.74.01/2026 dibuat", operator.flash())
        self.assertIn("Nomor surat 400/0001/33.74.01/2026", operator.text(".card.letter"))
        operator.shot("operator-surat-dibuat")

        def fetch_letter(officer, name):
            """The letter's PDF as the link serves it, checked by poppler, its pages drawn as PNG beside the shots."""
            link = officer.driver.find_element(By.CSS_SELECTOR, ".card.letter a.button")
            cookie = officer.driver.get_cookie("simpul_sesi")["value"]
            request = urllib.request.Request(link.get_attribute("href"), headers={"Cookie": f"simpul_sesi={cookie}"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                self.assertEqual("application/pdf", answer.headers.get_content_type())
                body = answer.read()
            os.makedirs(OUT, exist_ok=True)
            path = os.path.join(OUT, f"{self.id().split('.')[-1]}-{name}.pdf")
            with open(path, "wb") as f:
                f.write(body)
            self.assertEqual((1, 210, 297), pdf_pages(path))
            subprocess.run(["pdftoppm", "-r", "80", "-png", path, path[:-4]], check=True)
            return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout

        text = fetch_letter(operator, "surat-0001")
        for expected in ["SURAT KETERANGAN TIDAK MAMPU", "Nomor: 400/0001/33.74.01/2026", "Sri Rahayu", NIK,
                         "CAMAT SEMARANG TENGAH", "PEMERINTAH KOTA SEMARANG"]:
            self.assertIn(expected, text)

        # A corrected letter takes the next number; only the newest is offered.
        operator.press("Buat surat perbaikan (nomor baru)")
        self.assertIn("Surat nomor 400/0002/33.74.01/2026 dibuat", operator.flash())
        card = operator.text(".card.letter")
        self.assertIn("Nomor surat 400/0002/33.74.01/2026", card)
        self.assertIn("menggantikan 1 surat sebelumnya (400/0001/33.74.01/2026)", card)
        operator.shot("operator-surat-perbaikan")
        self.assertIn("Nomor: 400/0002/33.74.01/2026", fetch_letter(operator, "surat-0002"))
        operator.press("Selesaikan entri data dan cetak dokumen")

        for username, step_button in [("agus", "Selesaikan validasi kepala seksi pelayanan"),
                                      ("dewi", "Selesaikan validasi sekretaris camat")]:
            officer = Officer(self, counter, username)
            officer.login()
            officer.open("/permohonan/" + number)
            officer.press(step_button)
        camat = Officer(self, counter, "camat")
        camat.login()
        camat.open("/permohonan/" + number)
        # The Camat signs the letter the operator made, and sees which.
        self.assertIn("Nomor surat 400/0002/33.74.01/2026", camat.text(".card.letter"))
        self.assertNotIn("Buat surat", camat.text(".card.letter"))
        camat.shot("pengesahan-surat")
        camat.press("Selesaikan pengesahan camat")

        loket.open("/permohonan/" + number)
        link = loket.driver.find_element(By.LINK_TEXT, "Cetak surat")
        newest = loket.driver.find_element(By.CSS_SELECTOR, ".card.letter").text
        self.assertIn("400/0002/33.74.01/2026", newest)
        loket.shot("penyerahan-cetak-surat")
        self.assertIn("400/0002/33.74.01/2026", fetch_letter(loket, "penyerahan-surat"))
        link.click()
        loket.driver.switch_to.window(loket.driver.window_handles[-1])
        self.assertIn("/lampiran/", loket.driver.current_url)
        loket.driver.switch_to.window(loket.driver.window_handles[0])
        loket.press("Serahkan dokumen")
        self.assertIn("Dokumen diserahkan", loket.flash())
        # The operator's letters are not scans of requirements.
        self.assertIn("Belum ada pindaian", loket.text())

    def test_role_refusals_and_a_race(self):
        """A step by a role that may not take it is refused; two verifikator on one file: one wins."""
        counter = self.counter(("siti", "Siti Aminah", "loket"), ("budi", "Budi Santoso", "verifikasi"),
                               ("yanti", "Yanti Kusuma", "verifikasi"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("DOMISILI")
        number = loket.number()
        # The loket holds no verifikasi role: no such button, and a forged post is refused by the store.
        self.assertNotIn("Selesaikan verifikasi berkas", loket.buttons())
        loket.driver.execute_script(
            """const f = document.querySelector("form[action$='/aksi']");
               f.querySelector("input[name=aksi]").value = "selesai";
               f.querySelector("input[name=tahap]").value = "verifikasi";
               f.removeAttribute("data-confirm"); f.submit();""")
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash.err"))
        self.assertIn("tidak memegang peran", loket.flash())
        loket.shot("peran-ditolak")

        budi = Officer(self, counter, "budi")
        yanti = Officer(self, counter, "yanti")
        for officer in (budi, yanti):
            officer.login()
            officer.open("/permohonan/" + number)
        budi.press("Selesaikan verifikasi berkas")
        self.assertIn("Tercatat", budi.flash())
        yanti.press("Selesaikan verifikasi berkas")
        self.assertIn("Ditolak", yanti.flash())
        self.assertIn("verifikasi", yanti.flash().lower())
        yanti.shot("kalah-cepat")
        history = yanti.text("ol.timeline")
        self.assertEqual(1, history.count("Tahap Verifikasi berkas selesai"))

    def test_loket_form_checks(self):
        """Missing requirements named, a bad NIK caught as typed and on save, the fee computed live."""
        counter = self.counter(("siti", "Siti Aminah", "loket"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.open("/daftar?layanan=IZIN-JALAN")
        nik = loket.driver.find_element(By.ID, "nik")
        nik.send_keys(BAD_NIK)
        loket.wait_for(lambda d: "bulan" in d.find_element(By.ID, "periksa-nik").text)
        self.assertIn("hint bad", loket.driver.find_element(By.ID, "periksa-nik").get_attribute("class"))
        loket.driver.find_element(By.ID, "isian-panjang_m").send_keys("12")
        loket.driver.find_element(By.ID, "isian-lebar_m").send_keys("5")
        loket.wait_for(lambda d: "Rp 30.000" in d.find_element(By.ID, "periksa-biaya").text)
        loket.shot("nik-salah-biaya-dihitung")

        loket.register("IZIN-JALAN", tick_all=False, isian={"panjang_m": "12", "lebar_m": "5"})
        self.assertIn("Persyaratan belum lengkap", loket.flash())
        self.assertIn("Denah", loket.flash())
        loket.shot("syarat-kurang")
        loket.register("IZIN-JALAN", nik=BAD_NIK, isian={"panjang_m": "12", "lebar_m": "5"})
        self.assertIn("bulan", loket.flash())
        # Nothing was registered by the refused forms.
        result = counter.simpul(["permohonan", "list", "--data", counter.data, "--json"])
        self.assertEqual(0, json.loads(result.stdout)["count"])

    def test_payment_before_handover_and_scan(self):
        """A fee is paid at the kasir before the file can be handed over; a scan is uploaded and shown."""
        counter = self.counter(("siti", "Siti Aminah", "loket", "penyerahan"),
                               ("semua", "Petugas Serba", "verifikasi", "teknis", "operator", "kasi", "sekcam",
                                "camat"), ("dedi", "Dedi Kurnia", "kasir"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("IZIN-JALAN", isian={"panjang_m": "12", "lebar_m": "5"})
        number = loket.number()
        scan = os.path.join(counter.root, "ktp.png")
        with open(scan, "wb") as f:
            f.write(PNG)
        # An upload cut halfway (the link to the scanner desk drops): nothing is attached, and the
        # officer's retry then goes through.
        parsed = urllib.parse.urlparse(counter.url)
        cookie = loket.driver.get_cookie("simpul_sesi")["value"]
        csrf = loket.driver.find_element(By.CSS_SELECTOR, "form[data-upload] input[name=csrf]").get_attribute("value")
        with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as cut:
            cut.sendall((f"POST /permohonan/{number}/lampiran?nama=ktp.png&syarat=ktp HTTP/1.1\r\n"
                         f"Host: {parsed.netloc}\r\nCookie: simpul_sesi={cookie}\r\nX-CSRF-Token: {csrf}\r\n"
                         "Content-Type: image/png\r\nContent-Length: 200000\r\n\r\n").encode() + PNG)
        shown = json.loads(counter.simpul(["permohonan", "show", number, "--data", counter.data, "--json"]).stdout)
        self.assertEqual([], shown.get("permohonan", shown)["attachments"])
        loket.driver.find_element(By.ID, "berkas").send_keys(scan)
        Select(loket.driver.find_element(By.ID, "syarat-lampiran")).select_by_value("ktp")
        loket.button("Unggah").click()
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".scan img"))
        self.assertIn("ktp.png", loket.text(".scans"))
        loket.shot("pindaian")

        semua = Officer(self, counter, "semua")
        semua.login()
        semua.open("/permohonan/" + number)
        for label in ["Selesaikan verifikasi berkas", "Selesaikan cek lapangan",
                      "Selesaikan entri data dan cetak dokumen", "Selesaikan validasi kepala seksi pelayanan",
                      "Selesaikan validasi sekretaris camat", "Selesaikan pengesahan camat"]:
            semua.press(label)
        loket.open("/permohonan/" + number)
        self.assertNotIn("Serahkan dokumen", loket.buttons())
        self.assertIn("retribusi belum lunas, sisa Rp 30.000", loket.text("main"))
        loket.shot("belum-bayar")
        # A handover posted anyway (an old page, a second tab) is refused in the workflow's words.
        loket.driver.execute_script(
            """const f = document.querySelector("form[action$='/aksi']");
               f.querySelector("input[name=aksi]").value = "selesai";
               f.querySelector("input[name=tahap]").value = "penyerahan";
               f.removeAttribute("data-confirm"); f.submit();""")
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash.err[role=alert]"))
        self.assertIn("Ditolak: dokumen belum boleh diserahkan", loket.flash())

        kasir = Officer(self, counter, "dedi")
        kasir.login()
        self.assertIn(number, kasir.text("table.queue"))
        kasir.shot("antrean-kasir")
        kasir.open("/permohonan/" + number)
        kasir.press("Terima pembayaran")
        self.assertIn("kuitansi 33.74.01/000001", kasir.flash())
        kasir.shot("kuitansi")
        loket.open("/permohonan/" + number)
        loket.press("Serahkan dokumen")
        self.assertIn("Dokumen diserahkan", loket.flash())

        # The papers: a tanda terima on A5 and a kuitansi on a 58 mm roll, each one page with a QR code
        # that reads back as the code printed under it and that `simpul verify` finds genuine.
        loket.open(f"/permohonan/{number}/tanda-terima?kertas=a5")
        code = loket.text(".qr .code")
        self.assertTrue(code.startswith(f"SIMPUL:TT:{number}:"))
        self.assertNotIn("SALINAN", loket.text("main"))
        loket.shot("tanda-terima-a5")
        pdf = loket.print_pdf("tanda-terima-a5")
        self.assertEqual((1, 148, 210), pdf_pages(pdf))
        self.assertEqual(code, qr_in_pdf(pdf))
        verified = counter.simpul(["verify", code, "--data", counter.data])
        self.assertIn("ASLI", verified.stdout)
        loket.open(f"/permohonan/{number}/tanda-terima?kertas=58mm")
        self.assertIn("SALINAN ke-1", loket.text("main"))
        pdf = loket.print_pdf("tanda-terima-58mm")
        pages, width, _ = pdf_pages(pdf)
        self.assertEqual((1, 58), (pages, width))
        loket.shot("tanda-terima-58mm")

        kasir.open("/kuitansi?nomor=33.74.01/000001&kertas=58mm")
        self.assertIn("Tiga puluh ribu rupiah", kasir.text("main"))
        self.assertIn("Rp 30.000", kasir.text("main"))
        kasir.shot("kuitansi-58mm")
        pdf = kasir.print_pdf("kuitansi-58mm")
        pages, width, _ = pdf_pages(pdf)
        self.assertEqual((1, 58), (pages, width))
        receipt_code = qr_in_pdf(pdf)
        self.assertTrue(receipt_code.startswith("SIMPUL:KW:33.74.01/000001:"))
        kasir.open("/verifikasi?kode=" + urllib.parse.quote(receipt_code))
        self.assertIn("ASLI", kasir.text("main"))
        kasir.shot("cek-kertas-asli")
        forged = receipt_code[:-1] + ("A" if receipt_code[-1] != "A" else "B")
        kasir.open("/verifikasi?kode=" + urllib.parse.quote(forged))
        self.assertIn("TIDAK COCOK", kasir.text("main"))
        kasir.shot("cek-kertas-palsu")
        refused = counter.simpul(["verify", forged, "--data", counter.data], check=False)
        self.assertEqual(65, refused.returncode)
        self.assertIn("TIDAK COCOK", refused.stderr)

        # The end of the day: the kasir closes the cash and records the deposit to the treasury.
        kasir.open("/kas")
        self.assertIn("Kas hari ini belum ditutup", kasir.text("main"))
        self.assertIn("Belum ditutup", kasir.text("table"))
        kasir.shot("buku-kas-belum-ditutup")
        kasir.press("Tutup kas hari ini")
        self.assertIn("1 kuitansi, Rp 30.000", kasir.flash())
        self.assertIn("Cocok", kasir.text("table"))
        self.assertIn("Tutup ulang kas hari ini", kasir.button("Tutup ulang kas hari ini").text)
        kasir.driver.find_element(By.ID, "jumlah").send_keys("0")
        kasir.driver.find_element(By.ID, "bukti").send_keys("STS-0042/2026")
        kasir.press("Catat setoran")
        self.assertIn("Ditolak: setoran: jumlah", kasir.flash())
        self.assertEqual("flash err", kasir.driver.find_element(By.CSS_SELECTOR, ".flash").get_attribute("class"))
        # What was typed is still there to correct.
        self.assertEqual("STS-0042/2026", kasir.driver.find_element(By.ID, "bukti").get_attribute("value"))
        kasir.shot("setoran-ditolak")
        amount = kasir.driver.find_element(By.ID, "jumlah")
        amount.clear()
        amount.send_keys("30.000")
        kasir.press("Catat setoran")
        self.assertIn("Setoran Rp 30.000 dengan bukti STS-0042/2026 tercatat", kasir.flash())
        self.assertIn("Belum disetor bulan ini: Rp 0", kasir.text("main"))
        self.assertIn("STS-0042/2026", kasir.text("main"))
        kasir.shot("buku-kas")
        kasir.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        kasir.shot("buku-kas-tabel")
        book = json.loads(counter.simpul(["kasir", "kas", "--data", counter.data, "--json"]).stdout)
        self.assertEqual((30000, 30000, 0), (book["received"], book["deposited"], book["outstanding"]))
        # The loket keeps no book and writes none.
        loket.open("/kas")
        self.assertIn("Tidak berwenang", loket.text("main"))
        self.assertNotIn("Buku kas", loket.text("nav"))

    def test_csrf_session_and_disabled_account(self):
        """A form from elsewhere is refused; logging out or being disabled ends the session."""
        counter = self.counter(("admin", "Admin Kecamatan", "admin"), ("siti", "Siti Aminah", "loket"))
        admin = Officer(self, counter, "admin")
        admin.login()
        admin.open("/petugas")
        admin.shot("akun-petugas")
        loket = Officer(self, counter, "siti")
        loket.login()
        cookie = loket.driver.get_cookie("simpul_sesi")
        # The session cookie without the form's token: what a page on another site could send.
        request = urllib.request.Request(counter.url + "/daftar", data=b"layanan=SKTM&nik=" + NIK.encode(),
                                         headers={"Cookie": f"simpul_sesi={cookie['value']}"})
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        self.assertEqual(403, refused.exception.code)
        self.assertIn("Formulir kedaluwarsa", refused.exception.read().decode())

        admin.open("/petugas")
        form = admin.driver.find_element(By.CSS_SELECTOR, "form[action='/petugas/siti/nonaktifkan']")
        form.find_element(By.TAG_NAME, "button").click()
        admin.wait_for(expected_conditions.alert_is_present()).accept()
        admin.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
        self.assertIn("dinonaktifkan", admin.flash())
        admin.shot("akun-dinonaktifkan")
        loket.open("/")
        self.assertIn("/masuk", loket.driver.current_url)
        self.assertIn("Sesi Anda sudah berakhir", loket.flash())
        loket.driver.find_element(By.ID, "username").send_keys("siti")
        loket.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        page = loket.driver.find_element(By.TAG_NAME, "html")
        loket.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        loket.wait_gone(page)
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
        self.assertIn("dinonaktifkan", loket.flash())
        loket.shot("masuk-ditolak")

    def test_session_survives_a_restart_and_ends_after_ten_hours(self):
        """Sessions live in the store: a restart keeps the officer in; ten hours on, the next step asks for a login."""
        counter = self.counter(("siti", "Siti Aminah", "loket"))
        loket = Officer(self, counter, "siti")
        loket.login()
        counter.restart(NOW)
        loket.open("/")
        self.assertNotIn("/masuk", loket.driver.current_url)
        self.assertIn("Siti Aminah", loket.text("header"))
        # The officer fills the form before a long break; the office clock moves on past the session's 10 h.
        loket.open("/daftar?layanan=DOMISILI")
        for box in loket.driver.find_elements(By.CSS_SELECTOR, "input[name=syarat]"):
            box.click()
        loket.driver.find_element(By.ID, "nik").send_keys(NIK)
        loket.driver.find_element(By.ID, "nama").send_keys("Wati Susanti")
        counter.restart("2026-03-17T19:00:01+07:00")
        page = loket.driver.find_element(By.TAG_NAME, "html")
        loket.button("Daftarkan dan cetak tanda terima").click()
        loket.wait_gone(page)
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
        self.assertIn("/masuk", loket.driver.current_url)
        self.assertIn("Sesi Anda sudah berakhir", loket.flash())
        loket.shot("sesi-berakhir")
        listed = json.loads(counter.simpul(["permohonan", "list", "--data", counter.data, "--json"]).stdout)
        self.assertEqual([], listed["permohonan"])
        loket.login()
        self.assertIn("Antrean", loket.text("main"))

    def test_verifikasi_returns_an_incomplete_file_to_the_loket(self):
        """The verifikator sends a file back with what is missing; it waits at the loket, then returns to verifikasi."""
        counter = self.counter(("siti", "Siti Aminah", "loket"), ("budi", "Budi Santoso", "verifikasi"),
                               ("joko", "Joko Prasetyo", "teknis"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("SKTM")
        number = loket.number()
        budi = Officer(self, counter, "budi")
        budi.login()
        budi.open("/permohonan/" + number)
        self.assertIn("Kembalikan ke loket (belum lengkap)", budi.buttons())
        budi.press("Kembalikan ke loket (belum lengkap)", note="Surat pengantar RT/RW belum ditandatangani ketua RT")
        self.assertIn("Berkas dikembalikan ke loket", budi.flash())
        budi.shot("dikembalikan")
        # Not the verifikator's work any more, nor a step they can take.
        budi.open("/")
        self.assertNotIn(number, budi.text("main"))
        budi.open("/permohonan/" + number)
        self.assertEqual([], budi.buttons())

        loket.open("/")
        row = loket.driver.find_element(By.XPATH, f"//table[contains(@class,'queue')]//tr[.//a[text()='{number}']]")
        self.assertIn("perlu dilengkapi", row.text)
        self.assertIn("Melengkapi berkas di loket", row.text)
        loket.shot("antrean-loket-kelengkapan")
        loket.driver.find_element(By.LINK_TEXT, number).click()
        notice = loket.text("main [role=note]")
        self.assertIn("Surat pengantar RT/RW belum ditandatangani ketua RT", notice)
        self.assertIn("Budi Santoso (budi)", notice)
        loket.shot("kelengkapan")
        loket.press("Sudah dilengkapi, kirim ke verifikasi", note="pengantar sudah ditandatangani")
        self.assertIn("Tahap Melengkapi berkas di loket selesai", loket.flash())

        budi.open("/")
        self.assertIn(number, budi.text("table.queue"))
        budi.driver.find_element(By.LINK_TEXT, number).click()
        # An SKTM is not always checked on site; this time the verifikator asks the Petugas Teknis to look.
        budi.press("Kirim ke cek lapangan", note="Pastikan pemohon tinggal di alamat itu")
        self.assertIn("dikirim ke cek lapangan", budi.flash())
        history = budi.text("ol.timeline")
        self.assertIn("Berkas dikembalikan ke loket, belum lengkap: Surat pengantar RT/RW", history)
        budi.shot("riwayat-kelengkapan")
        joko = Officer(self, counter, "joko")
        joko.login()
        self.assertIn(number, joko.text("table.queue"))
        joko.driver.find_element(By.LINK_TEXT, number).click()
        self.assertIn("Pastikan pemohon tinggal di alamat itu", joko.text("ol.timeline"))
        joko.press("Selesaikan cek lapangan")
        self.assertIn("Tercatat", joko.flash())
        self.assertIn("Entri data dan cetak dokumen", joko.text())

    def test_forwarded_file_and_decision_through_a_real_hub(self):
        """PBG out to the PTSP through a real HTTPS hub, its decision and fee back, flagged for handover."""
        hub = Hub(self)
        counter = self.counter(("siti", "Siti Aminah", "loket", "penyerahan"), ("admin", "Admin Kecamatan", "admin"),
                               ("dedi", "Dedi Kurnia", "kasir"), hub=hub)
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("PBG-KECIL")
        number = loket.number()
        loket.press("Teruskan ke PTSP")
        self.assertIn("Berkas diteruskan ke PTSP", loket.flash())
        loket.shot("diteruskan")

        admin = Officer(self, counter, "admin")
        admin.login()

        def sync_and_wait(until):
            admin.open("/")
            page = admin.driver.find_element(By.TAG_NAME, "html")
            admin.driver.find_element(By.XPATH, "//button[text()='Sinkron sekarang']").click()
            admin.wait_gone(page)
            self.assertIn("Sinkron dimulai", admin.flash())
            # The strip is the event: reload until the run it reports has done what was asked.
            admin.wait_for(lambda d: d.refresh() or until(d.find_element(By.CSS_SELECTOR, ".strip").text), 60)

        sync_and_wait(lambda strip: "Menunggu dikirim: 0 event" in strip and "tersambung" in strip)
        admin.shot("sinkron-selesai")
        shown = hub.run(["permohonan", "show", number, "--data", hub.data])
        self.assertIn("Diteruskan", shown.stdout)

        # The PTSP finds the file incomplete (OSS 11): it comes back to the loket as work, with what to ask.
        hub.run(["permohonan", "advance", number, "--data", hub.data, "--kode", "11", "--catatan",
                 "Lampirkan sertifikat tanah yang terbaca", "--petugas", "Verifikator DPMPTSP"])

        def counter_code(code):
            shown = json.loads(counter.simpul(["permohonan", "show", number, "--data", counter.data, "--json"]).stdout)
            return shown.get("permohonan", shown).get("ptspCode") == code

        sync_and_wait(lambda strip: counter_code("11"))
        loket.open("/")
        self.assertIn("perlu dilengkapi", loket.text("table.queue"))
        loket.shot("antrean-perlu-dilengkapi")
        loket.driver.find_element(By.LINK_TEXT, number).click()
        self.assertIn("meminta berkas dilengkapi: Lampirkan sertifikat tanah yang terbaca", loket.text("main"))
        scan = os.path.join(counter.root, "sertifikat.png")
        with open(scan, "wb") as f:
            f.write(PNG)
        loket.driver.find_element(By.ID, "berkas").send_keys(scan)
        Select(loket.driver.find_element(By.ID, "syarat-lampiran")).select_by_value("bukti-tanah")
        loket.button("Unggah").click()
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".scan img"))
        loket.shot("dilengkapi")
        sync_and_wait(lambda strip: "Menunggu dikirim: 0 event" in strip)
        self.assertIn("sertifikat.png", hub.run(["permohonan", "show", number, "--data", hub.data]).stdout)

        hub.run(["permohonan", "decide", number, "--data", hub.data, "--kode", "50", "--retribusi", "150000",
                 "--catatan", "PBG terbit", "--petugas", "Kepala DPMPTSP"])
        # The PTSP attaches the signed izin; it comes down with the decision, to be printed at handover.
        izin = os.path.join(counter.root, "izin-pbg.pdf")
        with open(izin, "wb") as f:
            f.write(IZIN_PDF)
        hub.run(["permohonan", "terbit", number, izin, "--nomor-dokumen", "503/0123/DPMPTSP/2026", "--data", hub.data,
                 "--petugas", "Rina"])

        def counter_has_decision_and_izin():
            shown = json.loads(counter.simpul(["permohonan", "show", number, "--data", counter.data, "--json"]).stdout)
            p = shown.get("permohonan", shown)
            return p.get("tahap") == "penyerahan" and any(
                a.get("issuedNumber") == "503/0123/DPMPTSP/2026" and a.get("complete") for a in p["attachments"])

        sync_and_wait(lambda strip: counter_has_decision_and_izin())

        loket.open("/")
        self.assertIn("keputusan PTSP sudah tiba, dengan dokumen terbit", loket.text("table.queue"))
        loket.shot("antrean-keputusan-tiba")
        loket.open("/permohonan/" + number)
        card = loket.text(".issued")
        self.assertIn("503/0123/DPMPTSP/2026", card)
        self.assertIn("izin-pbg.pdf", card)
        self.assertNotIn("izin-pbg.pdf", loket.text(".scans"))
        loket.driver.execute_script("document.querySelector('.issued').scrollIntoView()")
        loket.shot("dokumen-terbit-tiba")
        link = loket.driver.find_element(By.LINK_TEXT, "Buka dan cetak dokumen").get_attribute("href")
        cookie = loket.driver.get_cookie("simpul_sesi")
        request = urllib.request.Request(link, headers={"Cookie": f"simpul_sesi={cookie['value']}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            self.assertEqual("application/pdf", answer.headers["Content-Type"])
            self.assertEqual(IZIN_PDF, answer.read())
        kasir = Officer(self, counter, "dedi")
        kasir.login()
        kasir.open("/permohonan/" + number)
        self.assertIn("Keputusan PTSP: 50", kasir.text("ol.timeline"))
        kasir.press("Terima pembayaran")
        self.assertIn("Rp 150.000", kasir.flash())
        loket.open("/permohonan/" + number)
        loket.press("Serahkan dokumen")
        self.assertIn("Dokumen diserahkan", loket.flash())
        loket.shot("diserahkan-setelah-ptsp")

    def test_admin_sets_roles_and_a_new_password(self):
        """The admin page changes an account's roles and password; the old session ends with the password."""
        counter = self.counter(("admin", "Admin Kecamatan", "admin"), ("siti", "Siti Aminah", "loket"))
        loket = Officer(self, counter, "siti")
        loket.login()
        admin = Officer(self, counter, "admin")
        admin.login()
        admin.open("/petugas")
        row = admin.driver.find_element(By.XPATH, "//tr[td[text()='siti']]")
        row.find_element(By.TAG_NAME, "summary").click()
        row.find_element(By.ID, "peran-siti-kasir").click()
        admin.shot("ubah-peran")
        page = admin.driver.find_element(By.TAG_NAME, "html")
        row.find_element(By.XPATH, ".//button[text()='Simpan peran']").click()
        admin.wait_gone(page)
        self.assertIn("Peran akun siti disimpan", admin.flash())
        self.assertIn("Kasir", admin.text("table"))
        loket.open("/")
        self.assertIn("Petugas Loket, Kasir", loket.text("header"))

        row = admin.driver.find_element(By.XPATH, "//tr[td[text()='siti']]")
        row.find_element(By.TAG_NAME, "summary").click()
        row.find_element(By.ID, "sandi-siti").send_keys("sandi-baru-2026")
        page = admin.driver.find_element(By.TAG_NAME, "html")
        row.find_element(By.XPATH, ".//button[text()='Ganti sandi']").click()
        admin.wait_gone(page)
        self.assertIn("Sandi akun siti diganti", admin.flash())
        loket.open("/")
        self.assertIn("/masuk", loket.driver.current_url)
        loket.driver.find_element(By.ID, "username").send_keys("siti")
        loket.driver.find_element(By.ID, "password").send_keys("sandi-baru-2026")
        loket.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        loket.wait_for(lambda d: "/masuk" not in d.current_url)
        self.assertIn("Antrean saya", loket.text("header"))

    def test_information_board(self):
        """The papan informasi shows the catalog in force to anyone, prints on A4, and follows a new catalog."""
        counter = self.counter(("siti", "Siti Aminah", "loket"))
        board = Officer(self, counter, "tamu")
        board.open("/papan")
        text = board.text("body")
        self.assertIn("Surat keterangan tidak mampu (SKTM)", text)
        self.assertIn("Rp 500 per m2, dihitung dari panjang m x lebar m", text)
        self.assertIn("Petugas Teknis (cek lapangan)", text)
        self.assertIn("Pengaduan:", text)
        board.shot("papan-informasi")
        pages, width, height = pdf_pages(board.print_pdf("papan-a4"))
        self.assertEqual((210, 297), (width, height))
        self.assertGreaterEqual(pages, 1)
        with open(os.path.join(REPO, "conf", "layanan.json")) as f:
            catalog = json.load(f)
        catalog["version"] += 1
        for service in catalog["services"]:
            if service["code"] == "IZIN-JALAN":
                service["fee"]["rate"] = 750
        newer = os.path.join(counter.root, "layanan-v2.json")
        with open(newer, "w") as f:
            json.dump(catalog, f)
        counter.simpul(["admin", "katalog", newer, "--data", counter.data])
        board.open("/papan")
        self.assertIn("Rp 750 per m2", board.text("body"))
        self.assertIn(f"versi {catalog['version']}", board.text("header"))

    def test_loket_by_keyboard_alone(self):
        """A loket officer registers with the keyboard only: Tab through the form, Space to tick, Enter to send."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys
        counter = self.counter(("siti", "Siti Aminah", "loket"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.open("/daftar?layanan=DOMISILI")
        keys = ActionChains(loket.driver)
        # From the top of the page, Tab reaches the first requirement's checkbox after the links and the
        # service picker; walk until it has the focus, as an officer would.
        for _ in range(40):
            keys.send_keys(Keys.TAB).perform()
            if loket.driver.switch_to.active_element.get_attribute("name") == "syarat":
                break
        self.assertEqual("syarat", loket.driver.switch_to.active_element.get_attribute("name"))
        keys.send_keys(Keys.SPACE, Keys.TAB, Keys.SPACE, Keys.TAB).perform()
        self.assertEqual("nik", loket.driver.switch_to.active_element.get_attribute("id"))
        keys.send_keys(NIK, Keys.TAB, "Wati Susanti", Keys.TAB, "Jl. Kauman 3", Keys.TAB, "0811222333").perform()
        loket.wait_for(lambda d: "NIK sah" in d.find_element(By.ID, "periksa-nik").text)
        loket.shot("keyboard-isian")
        page = loket.driver.find_element(By.TAG_NAME, "html")
        keys.send_keys(Keys.ENTER).perform()
        loket.wait_gone(page)
        loket.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
        self.assertIn("terdaftar", loket.flash())
        self.assertIn("Wati Susanti", loket.text())
        loket.shot("keyboard-terdaftar")

    def test_antrian_ticket_call_screen_and_report(self):
        """The pemandu prints a ticket, a desk calls it, the waiting-room TV shows it, the day's waits are listed."""
        counter = self.counter(("ani", "Ani Rahmawati", "informasi"), ("siti", "Siti Aminah", "loket"))
        pemandu = Officer(self, counter, "ani")
        pemandu.login()
        pemandu.open("/antrian")
        pemandu.shot("antrian-pemandu")
        for group, code in [("Layanan non-perizinan", "N-001"), ("Layanan perizinan", "P-001"),
                            ("Layanan non-perizinan", "N-002")]:
            pemandu.open("/antrian")
            page = pemandu.driver.find_element(By.TAG_NAME, "html")
            pemandu.button(group).click()
            pemandu.wait_gone(page)
            self.assertEqual(code, pemandu.text(".number"))
        self.assertIn("1 orang menunggu sebelum Anda", pemandu.text("main"))
        pemandu.shot("tiket-58mm")
        pages, width, height = pdf_pages(pemandu.print_pdf("tiket-58mm"))
        self.assertEqual((1, 58, 90), (pages, width, height))

        tv = Officer(self, counter, "tv")
        tv.driver.set_window_size(1920, 1080)
        tv.open("/antrian/layar")
        self.assertEqual("-", tv.text("#now-code"))
        self.assertIn("Layanan non-perizinan: 2", tv.text("#waiting"))

        loket = Officer(self, counter, "siti")
        loket.login()
        loket.open("/antrian")
        loket.driver.find_element(By.ID, "meja").send_keys("Loket 1")
        loket.press("Panggil berikutnya")
        self.assertIn("Memanggil N-001 ke Loket 1", loket.flash())
        # The TV redraws by itself: wait for the call to show, not for a time.
        tv.wait_for(lambda d: d.find_element(By.ID, "now-code").text == "N-001")
        self.assertEqual("ke Loket 1", tv.text("#now-desk"))
        tv.shot("layar-n001")
        # The desk is remembered by this browser; P-001 waited longest of the rest.
        self.assertEqual("Loket 1", loket.driver.find_element(By.ID, "meja").get_attribute("value"))
        loket.press("Panggil berikutnya")
        self.assertIn("Memanggil P-001 ke Loket 1", loket.flash())
        tv.wait_for(lambda d: d.find_element(By.ID, "now-code").text == "P-001")
        self.assertIn("N-001", tv.text("#recent"))
        self.assertIn("Layanan non-perizinan: 1", tv.text("#waiting"))
        tv.shot("layar-p001")
        loket.press("Panggil ulang")
        self.assertIn("Memanggil P-001 ke Loket 1", loket.flash())
        loket.shot("antrian-loket")

        loket.open("/antrian/laporan")
        report = loket.text("main")
        for expected in ["N-001", "P-001", "N-002", "belum dipanggil", "Siti Aminah (siti)"]:
            self.assertIn(expected, report)
        summary = loket.driver.find_element(By.XPATH, "//table[1]//tr[td[1][text()='Semua']]").text
        self.assertIn("Semua 3 2", summary)
        loket.shot("antrian-laporan")
        loket.open("/antrian/laporan?tanggal=17-03-2026")
        self.assertIn("bukan tanggal", loket.text("main"))

    def test_monthly_report_for_the_camat(self):
        """The month's report per service, printed on A4 landscape and exported as CSV."""
        counter = self.counter(("siti", "Siti Aminah", "loket"), ("camat", "Drs. Hartono", "camat"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("SKTM")
        loket.register("DOMISILI", nama="Wati Susanti")
        loket.press("Catat ditarik pemohon", note="pemohon pindah kota")
        camat = Officer(self, counter, "camat")
        camat.login()
        camat.driver.find_element(By.LINK_TEXT, "Laporan").click()
        camat.wait_for(lambda d: "Laporan bulanan" in d.title)
        self.assertIn("LAPORAN BULANAN PELAYANAN MARET 2026", camat.text("h1"))
        rows = {r.find_element(By.TAG_NAME, "td").text: r.text
                for r in camat.driver.find_elements(By.CSS_SELECTOR, "tbody tr")}
        self.assertIn("Surat keterangan tidak mampu (SKTM) 1 0", rows["Surat keterangan tidak mampu (SKTM)"])
        domisili = next(v for k, v in rows.items() if "(DOMISILI)" in k)
        self.assertRegex(domisili, r"\(DOMISILI\) 1 0 - 1 0 0 0 / 0")
        self.assertIn("Jumlah 2 0 - 1", camat.text("tfoot"))
        camat.shot("laporan-bulanan")
        pages, width, height = pdf_pages(camat.print_pdf("laporan-bulanan"))
        self.assertEqual((1, 297, 210), (pages, width, height))
        link = camat.driver.find_element(By.LINK_TEXT, "Unduh CSV").get_attribute("href")
        cookie = camat.driver.get_cookie("simpul_sesi")
        request = urllib.request.Request(link, headers={"Cookie": f"simpul_sesi={cookie['value']}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            self.assertIn("attachment", answer.headers["Content-Disposition"])
            text = answer.read().decode("utf-8")
        self.assertTrue(text.startswith("\ufefflayanan,diterima,selesai"))
        self.assertIn("\r\nSKTM,1,0,0,0,0,0,0,0,0,0,0,0,,\r\n", text)
        self.assertIn("\r\nringkasan,nilai\r\nretribusi_disetor,0\r\n", text)
        camat.open("/laporan?bulan=2026-13")
        self.assertIn("harus YYYY-MM", camat.text("main"))

    def test_survey_on_the_tablet_after_handover(self):
        """The applicant answers the nine questions on the tablet; nothing of the officer or the file shows."""
        counter = self.counter(("siti", "Siti Aminah", "loket", "penyerahan"),
                               ("petugas", "Budi Santoso", "verifikasi", "operator", "kasi", "sekcam", "camat"),
                               ("camat", "Drs. Hartono", "camat"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("SKTM")
        number = loket.number()
        for _ in range(5):
            counter.simpul(["permohonan", "advance", number, "--data", counter.data, "--petugas", "petugas"])
        loket.open("/permohonan/" + number)
        self.assertEqual([], loket.driver.find_elements(By.CSS_SELECTOR, ".survey-offer"))
        loket.press("Serahkan dokumen")
        self.assertIn("Survei kepuasan masyarakat", loket.text())
        loket.shot("survei-ditawarkan")
        loket.driver.find_element(By.LINK_TEXT, "Buka survei di tablet").click()
        loket.wait_for(lambda d: "Survei Kepuasan Masyarakat" in d.title)
        # A 10-inch tablet held upright, handed to the applicant.
        loket.driver.set_window_size(800, 1280)
        page = loket.text("body")
        for hidden in [number, "Siti", "siti", "Sri Rahayu", NIK]:
            self.assertNotIn(hidden, page)
        questions = loket.driver.find_elements(By.CSS_SELECTOR, "fieldset.question")
        self.assertEqual(9, len(questions))
        self.assertIn("U1 Persyaratan", questions[0].text)
        self.assertIn("Sangat sesuai", questions[0].text)
        for i, question in enumerate(questions):
            choices = question.find_elements(By.CSS_SELECTOR, "label.choice")
            self.assertEqual(4, len(choices))
            self.assertGreaterEqual(choices[0].size["height"], 80)
            (choices[2] if i == 3 else choices[3]).click()
        loket.shot("survei-tablet")
        form = loket.driver.find_element(By.TAG_NAME, "html")
        loket.driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        loket.wait_gone(form)
        self.assertIn("Terima kasih", loket.text("h1"))
        thanks = loket.text("body")
        for hidden in [number, "Siti", "97", "Sangat"]:
            self.assertNotIn(hidden, thanks)
        loket.shot("survei-terima-kasih")
        loket.driver.set_window_size(1366, 768)
        loket.open("/permohonan/" + number)
        self.assertEqual([], loket.driver.find_elements(By.CSS_SELECTOR, ".survey-offer"))
        loket.open("/skm/" + number)
        self.assertIn("sudah mengisi survei", loket.text())
        # The month's report: 35 / 9 = 3,8889 x 25 = 97,22, grade A.
        camat = Officer(self, counter, "camat")
        camat.login()
        camat.open("/laporan")
        self.assertIn("97,22 (A, Sangat baik) dari 1 responden", camat.text("main"))
        camat.shot("laporan-ikm")

    def test_pengaduan_register(self):
        """A complaint received at the information desk, followed up and closed by the Kasi Pelayanan."""
        counter = self.counter(("rina", "Rina Wati", "informasi"), ("agus", "Agus Salim", "kasi"),
                               ("dewi", "Dewi Kasir", "kasir"), ("camat", "Drs. Hartono", "camat"))
        kasir = Officer(self, counter, "dewi")
        kasir.login()
        self.assertEqual([], kasir.driver.find_elements(By.LINK_TEXT, "Pengaduan"))
        kasir.open("/pengaduan")
        self.assertIn("Tidak diizinkan", kasir.text())
        info = Officer(self, counter, "rina")
        info.login()
        info.driver.find_element(By.LINK_TEXT, "Pengaduan").click()
        info.wait_for(lambda d: "Pengaduan" in d.title)
        self.assertIn("Tidak ada pengaduan yang terbuka", info.text())
        Select(info.driver.find_element(By.ID, "aduan-saluran")).select_by_visible_text("Telepon")
        Select(info.driver.find_element(By.ID, "aduan-layanan")).select_by_value("SKTM")
        info.driver.find_element(By.ID, "aduan-isi").send_keys("Surat keterangan belum jadi padahal sudah lewat tanggalnya")
        info.driver.find_element(By.ID, "aduan-nama").send_keys("Bu Lastri")
        info.driver.find_element(By.ID, "aduan-kontak").send_keys("0812 3456 7890")
        info.shot("pengaduan-formulir")
        page = info.driver.find_element(By.TAG_NAME, "html")
        info.button("Catat pengaduan").click()
        info.wait_gone(page)
        # Received Tuesday 17 March: respond by 31 March, close by 16 May, a Saturday, so 18 May.
        self.assertIn("Pengaduan ADU/01/26-00001 tercatat; tanggapi paling lambat Selasa, 31 Maret 2026", info.flash())
        self.assertIn("Senin, 18 Mei 2026", info.flash())
        row = info.text("table.complaints tbody")
        self.assertIn("Terbuka", row)
        self.assertIn("Rina Wati (rina)", row)
        self.assertEqual([], info.driver.find_elements(By.CSS_SELECTOR, "details"))
        info.shot("pengaduan-tercatat")
        kasi = Officer(self, counter, "agus")
        kasi.login()
        kasi.open("/pengaduan")
        kasi.driver.find_element(By.CSS_SELECTOR, "details summary").click()
        kasi.driver.find_element(By.CSS_SELECTOR, "details textarea").send_keys("Pemohon ditelepon, surat selesai besok")
        page = kasi.driver.find_element(By.TAG_NAME, "html")
        kasi.button("Catat tindak lanjut").click()
        kasi.wait_gone(page)
        self.assertIn("Tindak lanjut pengaduan ADU/01/26-00001 tercatat", kasi.flash())
        self.assertIn("Agus Salim (agus) · Tindak lanjut: Pemohon ditelepon", kasi.text("table.complaints"))
        kasi.shot("pengaduan-tindak-lanjut")
        kasi.driver.find_element(By.CSS_SELECTOR, "details summary").click()
        kasi.driver.find_element(By.CSS_SELECTOR, "details textarea").send_keys("Surat diserahkan, pengadu puas")
        page = kasi.driver.find_element(By.TAG_NAME, "html")
        kasi.button("Tutup pengaduan").click()
        kasi.wait_gone(page)
        self.assertIn("ditutup", kasi.flash())
        self.assertIn("Tidak ada pengaduan yang terbuka", kasi.text())
        kasi.open("/pengaduan?semua=1")
        self.assertIn("Ditutup", kasi.text("table.complaints"))
        kasi.shot("pengaduan-ditutup")
        camat = Officer(self, counter, "camat")
        camat.login()
        camat.open("/laporan")
        summary = camat.text("table.summary")
        self.assertIn("Pengaduan diterima 1", summary)
        self.assertIn("Pengaduan ditutup 1", summary)
        self.assertIn("Retribusi disetor ke kas daerah Rp 0", summary)
        camat.shot("laporan-pengaduan")

    def test_search(self):
        """Search by number with its check digit, by NIK and by name."""
        counter = self.counter(("siti", "Siti Aminah", "loket"))
        loket = Officer(self, counter, "siti")
        loket.login()
        loket.register("SKU", nama="Bambang Wijaya")
        number = loket.number()
        loket.open("/cari?nama=bambang")
        self.assertIn(number, loket.text("table"))
        loket.shot("cari-nama")
        loket.open("/cari?nik=" + NIK)
        self.assertIn(number, loket.text("table"))
        wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
        loket.open("/cari?nomor=" + wrong)
        self.assertIn("digit periksa", loket.flash())
        loket.shot("cari-nomor-salah")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
