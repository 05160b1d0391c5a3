#!/usr/bin/python3
"""Black-box browser tests of the PTSP back office (`simpul-hub serve --web`), driven with chromium.

One real hub (`simpul-hub serve` over TLS with a dev certificate, the back office on its own listener,
both on 127.0.0.1 with ports the OS picks) and real kecamatan nodes (`simpul`) that register and
forward files and sync them into it, as a kabupaten runs. Each staff member drives a headless chromium
of their own. Every page a test visits is saved as a PNG under the output folder, to be looked at.

Usage: backoffice_web.py BIN_DIR [OUTPUT_DIR]
"""

import csv
import http.cookiejar
import io
import json
import os
import re
import shutil
import ssl
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
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else ".build/test-output/browser")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Tuesday 17 March 2026, 09:00 WIB for every process: hub and kecamatan agree on the clock.
NOW = "2026-03-17T09:00:00+07:00"
PASSWORD = "rahasia-ptsp-1"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d605a50000000049454e44ae426082")
# A one-page PDF: the izin the PTSP issues.
IZIN_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
            b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
            b"4 0 obj<</Length 41>>stream\nBT /F1 24 Tf 72 760 Td (IZIN PBG) Tj ET\nendstream endobj\n"
            b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
SYARAT = ["ktp", "persetujuan-tetangga", "bukti-tanah", "sppt-pbb", "gambar", "pengantar-desa"]


def run(tool, args, stdin=None, check=True, env=None):
    result = subprocess.run([os.path.join(BIN, tool)] + args, input=stdin, capture_output=True, text=True,
                            env=env or dict(os.environ, SIMPUL_NOW=NOW), timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{tool} {' '.join(args)} -> {result.returncode}: {result.stderr}")
    return result


class Kabupaten:
    """A hub serving sync and the back office, two kecamatan that forwarded files into it, and staff."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="simpul-backoffice-")
        self.hub = os.path.join(self.root, "hub")
        certs = os.path.join(self.root, "certs")
        conf = os.path.join(REPO, "conf")
        run("simpul-hub", ["init", "--data", self.hub, "--node", "33.74", "--name", "DPMPTSP Kota Semarang",
                           "--conf", conf])
        run("simpul-hub", ["dev-cert", "--out", certs, "--host", "localhost"])
        self.process = subprocess.Popen(
            [os.path.join(BIN, "simpul-hub"), "serve", "--data", self.hub, "--listen", "127.0.0.1:0",
             "--tls-cert", os.path.join(certs, "cert.pem"), "--tls-key", os.path.join(certs, "key.pem"),
             "--web", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, SIMPUL_NOW=NOW))
        # The server prints one line per listener once it listens: the events to wait on, not a sleep.
        lines = [self.process.stdout.readline(), self.process.stdout.readline()]
        sync = next((re.search(r"mendengarkan di (https://127\.0\.0\.1:\d+)", l) for l in lines
                     if "mendengarkan" in l), None)
        web = next((re.search(r"back office web siap di (https://127\.0\.0\.1:\d+)/", l) for l in lines
                    if "back office" in l), None)
        if not sync or not web:
            self.stop()
            raise AssertionError(f"simpul-hub serve did not announce both listeners: {lines!r}")
        self.sync_url = sync.group(1)
        self.url = web.group(1)
        self.files = {}
        for node, name, count in [("33.74.01", "Kecamatan Semarang Tengah", 3), ("33.74.02", "Semarang Utara", 1)]:
            data = os.path.join(self.root, node)
            made = run("simpul", ["init", "--data", data, "--node", node, "--name", name, "--conf", conf,
                                  "--hub", self.sync_url, "--hub-ca", os.path.join(certs, "cert.pem"), "--json"])
            key = re.search(r'"publicKey"\s*:\s*"([^"]+)"', made.stdout).group(1)
            run("simpul-hub", ["node", "enroll", "--data", self.hub, "--node", node, "--public-key", key])
            numbers = []
            for i in range(count):
                args = ["permohonan", "create", "--data", data, "--layanan", "PBG-KECIL",
                        "--nik", f"33740101018500{i + 1:02d}", "--nama", f"Pemohon {node[-2:]}-{i + 1}",
                        "--petugas", "Sari", "--json"]
                for s in SYARAT:
                    args += ["--syarat", s]
                number = re.search(r'"number"\s*:\s*"([^"]+)"', run("simpul", args).stdout).group(1)
                # One scan, at one kecamatan: a blob belongs to the partition that sent it first.
                if i == 0 and node == "33.74.01":
                    scan = os.path.join(self.root, "gambar.png")
                    with open(scan, "wb") as f:
                        f.write(PNG)
                    run("simpul", ["permohonan", "attach", number, scan, "--syarat", "gambar", "--data", data,
                                   "--petugas", "Sari"])
                run("simpul", ["permohonan", "forward", number, "--data", data, "--petugas", "Sari"])
                numbers.append(number)
            run("simpul", ["sync", "--data", data])
            self.files[node] = (data, numbers)
        # A third kecamatan enrolled that never synced: the dashboard must make it stand out.
        silent = os.path.join(self.root, "33.74.03")
        made = run("simpul", ["init", "--data", silent, "--node", "33.74.03", "--name", "Candisari", "--conf", conf,
                              "--hub", self.sync_url, "--hub-ca", os.path.join(certs, "cert.pem"), "--json"])
        key = re.search(r'"publicKey"\s*:\s*"([^"]+)"', made.stdout).group(1)
        run("simpul-hub", ["node", "enroll", "--data", self.hub, "--node", "33.74.03", "--public-key", key])
        for username, name, role in [("rina", "Rina Kusuma", "petugas"), ("kabid", "Ir. Bambang Kabid", "pengambil-keputusan"),
                                     ("kadis", "Dra. Endang Kadis", "pimpinan")]:
            run("simpul-hub", ["user", "add", "--data", self.hub, "--username", username, "--nama", name,
                               "--peran", role], stdin=PASSWORD + "\n")

    def log(self, number):
        return run("simpul-hub", ["permohonan", "log", number, "--data", self.hub]).stdout

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


class Staff:
    """One member of the PTSP's staff: a browser of their own."""

    def __init__(self, test, kabupaten, username, width=1366, height=768):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        # The hub's dev certificate is self-signed.
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}",
                     "--lang=id-ID", "--disable-dev-shm-usage", "--ignore-certificate-errors"]:
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(60)
        test.addCleanup(self.driver.quit)
        self.test = test
        self.kabupaten = kabupaten
        self.username = username

    def open(self, path):
        self.driver.get(self.kabupaten.url + path)

    def shot(self, name):
        os.makedirs(OUT, exist_ok=True)
        self.driver.save_screenshot(os.path.join(OUT, f"backoffice-{self.test.id().split('.')[-1]}-{name}.png"))

    def login(self, password=PASSWORD):
        self.open("/masuk")
        self.driver.find_element(By.ID, "username").send_keys(self.username)
        self.driver.find_element(By.ID, "password").send_keys(password)
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_gone(page)

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

    def buttons(self):
        return [b.text.strip() for b in self.driver.find_elements(By.CSS_SELECTOR, "main .actions button")]

    def submit(self, button_label, accept=True):
        button = next(b for b in self.driver.find_elements(By.CSS_SELECTOR, "main button")
                      if b.text.strip() == button_label)
        form = button.find_element(By.XPATH, "./ancestor::form")
        confirms = form.get_attribute("data-confirm")
        page = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        if confirms:
            alert = self.wait_for(expected_conditions.alert_is_present())
            alert.accept() if accept else alert.dismiss()
        self.wait_gone(page)

    def cookie_header(self):
        return "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())

    def csrf(self):
        return self.driver.find_element(By.CSS_SELECTOR, "header form input[name=csrf]").get_attribute("value")

    def request(self, path, data=None):
        """A request outside the browser with this browser's cookies: status and body."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.kabupaten.url + path, data=body,
                                         headers={"Cookie": self.cookie_header()})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class BackOfficeWebTests(unittest.TestCase):
    kabupaten = None

    @classmethod
    def setUpClass(cls):
        cls.kabupaten = Kabupaten()

    @classmethod
    def tearDownClass(cls):
        cls.kabupaten.stop()

    def number(self, node, i):
        return self.kabupaten.files[node][1][i]

    def test_dashboard_and_queue_filtered_by_kecamatan(self):
        rina = Staff(self, self.kabupaten, "rina")
        rina.login()
        self.assertTrue(rina.driver.current_url.endswith("/"))
        rina.shot("ringkasan")
        main = rina.text()
        self.assertIn("Semarang Tengah", main.title())
        self.assertIn("Berkas menunggu di PTSP", main)
        # The kecamatan that never synced stands out, in words.
        row = next(r for r in rina.driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
                   if "33.74.03" in r.text)
        self.assertIn("belum pernah sinkron", row.text)
        self.assertIn("stale", row.get_attribute("class"))
        self.assertIn("Kecamatan sinkron 24 jam terakhir: 2 dari 2", rina.text(".strip"))

        rina.open("/berkas")
        rina.shot("berkas-semua")
        self.assertIn("4 berkas cocok", rina.text())
        Select(rina.driver.find_element(By.ID, "q-kecamatan")).select_by_value("33.74.02")
        page = rina.driver.find_element(By.TAG_NAME, "html")
        rina.driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
        rina.wait_gone(page)
        rina.shot("berkas-33.74.02")
        rows = rina.driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
        self.assertEqual(len(rows), 1)
        self.assertIn(self.number("33.74.02", 0), rows[0].text)
        self.assertIn("1 berkas cocok", rina.text())
        self.assertIn("kecamatan=33.74.02", rina.driver.current_url)

        # The same queue on a 10-inch tablet.
        tablet = Staff(self, self.kabupaten, "rina", width=800, height=1280)
        tablet.login()
        tablet.open("/berkas")
        tablet.shot("berkas-tablet")
        tablet.open("/")
        tablet.shot("ringkasan-tablet")

    def test_progress_code_then_decision_with_fee(self):
        number = self.number("33.74.01", 0)
        rina = Staff(self, self.kabupaten, "rina")
        rina.login()
        rina.open("/permohonan/" + number)
        rina.shot("berkas-dengan-pindaian")
        main = rina.text()
        self.assertIn("Pemohon 01-1", main)
        self.assertIn("337401******0001", main)  # the NIK is masked
        self.assertNotIn("3374010101850001", main)
        image = rina.driver.find_element(By.CSS_SELECTOR, ".scan img")
        self.assertTrue(rina.driver.execute_script("return arguments[0].naturalWidth", image) > 0)
        # A petugas records progress codes but does not decide.
        self.assertEqual(rina.buttons(), ["Catat kode proses"])
        # OSS 11 from the page: the file goes back to the counter as a request to the applicant, with the note.
        Select(rina.driver.find_element(By.ID, "kode-proses")).select_by_value("11")
        rina.driver.find_element(By.ID, "catatan-proses").send_keys("Lampirkan gambar situasi yang terbaca")
        rina.submit("Catat kode proses")
        rina.shot("kode-11-tercatat")
        self.assertIn("Tercatat", rina.text(".flash"))
        self.assertIn("11 Belum lengkap", rina.text())
        data = self.kabupaten.files["33.74.01"][0]
        run("simpul", ["sync", "--data", data])
        at_counter = json.loads(run("simpul", ["permohonan", "show", number, "--data", data, "--json"]).stdout)
        at_counter = at_counter.get("permohonan", at_counter)
        self.assertEqual(at_counter.get("ptspCode"), "11")
        # The hub's note reaches the counter's history, which the loket reads to the applicant.
        counter_log = run("simpul", ["permohonan", "log", number, "--data", data]).stdout
        self.assertIn("Lampirkan gambar situasi yang terbaca", counter_log)
        Select(rina.driver.find_element(By.ID, "kode-proses")).select_by_value("10")
        rina.driver.find_element(By.ID, "catatan-proses").clear()
        rina.driver.find_element(By.ID, "catatan-proses").send_keys("Berkas lengkap")
        rina.submit("Catat kode proses")
        rina.shot("kode-10-tercatat")
        self.assertIn("Tercatat", rina.text(".flash"))
        self.assertIn("10 Dokumen lengkap", rina.text())
        self.assertIn("Rina Kusuma (rina) (Petugas PTSP)", rina.text("ol.timeline"))

        kabid = Staff(self, self.kabupaten, "kabid")
        kabid.login()
        kabid.open("/permohonan/" + number)
        self.assertEqual(kabid.buttons(), ["Putuskan"])
        Select(kabid.driver.find_element(By.ID, "kode-keputusan")).select_by_value("50")
        kabid.driver.find_element(By.ID, "retribusi").send_keys("150.000")
        kabid.shot("keputusan-diisi")
        kabid.submit("Putuskan")
        kabid.shot("diputuskan")
        self.assertIn("Tercatat", kabid.text(".flash"))
        self.assertIn("Rp 150.000", kabid.text())
        self.assertEqual(kabid.buttons(), [])
        # The same signed hub events as the CLI, with the account as the officer.
        log = self.kabupaten.log(number)
        self.assertIn("Ir. Bambang Kabid (kabid)", log)
        self.assertIn("Rina Kusuma (rina)", log)
        # The decision travels back to the counter on the kecamatan's next sync.
        run("simpul", ["sync", "--data", data])
        shown = run("simpul", ["permohonan", "show", number, "--data", data]).stdout
        self.assertIn("150.000", shown)

    def test_admin_manages_staff_and_reads_the_access_log(self):
        """Admin TI adds and disables a staff account in the browser and reads who opened which file."""
        run("simpul-hub", ["user", "add", "--data", self.kabupaten.hub, "--username", "yusuf", "--nama",
                           "Yusuf Admin TI", "--peran", "admin-ti"], stdin=PASSWORD + "\n")
        number = self.number("33.74.02", 0)
        rina = Staff(self, self.kabupaten, "rina")
        rina.login()
        self.assertNotIn("Akun staf", rina.text("header"))
        status, _, body = rina.request("/staf")
        self.assertEqual(403, status)
        self.assertIn("hanya untuk peran Admin TI Kabupaten", body.decode())
        rina.open("/permohonan/" + number)

        admin = Staff(self, self.kabupaten, "yusuf")
        admin.login()
        admin.open("/staf")
        admin.shot("akun-staf")
        admin.driver.find_element(By.ID, "akun-username").send_keys("dewi")
        admin.driver.find_element(By.ID, "akun-nama").send_keys("Dewi Lestari")
        admin.driver.find_element(By.ID, "peran-petugas").click()
        admin.driver.find_element(By.ID, "akun-sandi").send_keys(PASSWORD)
        admin.submit("Tambah akun")
        self.assertIn("Akun dewi ditambahkan", admin.text(".flash"))
        listed = run("simpul-hub", ["user", "list", "--data", self.kabupaten.hub]).stdout
        self.assertRegex(listed, r"dewi.*Dewi Lestari")
        dewi = Staff(self, self.kabupaten, "dewi")
        dewi.login()
        self.assertIn("Dewi Lestari", dewi.text("header"))

        form = admin.driver.find_element(By.CSS_SELECTOR, "form[action='/staf/dewi/nonaktifkan']")
        page = admin.driver.find_element(By.TAG_NAME, "html")
        form.find_element(By.TAG_NAME, "button").click()
        admin.wait_for(expected_conditions.alert_is_present()).accept()
        admin.wait_gone(page)
        self.assertIn("dinonaktifkan", admin.text(".flash"))
        admin.shot("akun-staf-dinonaktifkan")
        # Logout everywhere on disable: her open browser is sent to the login page, told why.
        dewi.open("/berkas")
        self.assertIn("/masuk", dewi.driver.current_url)
        self.assertIn("Sesi Anda sudah berakhir", dewi.text(".flash"))

        admin.open("/log-akses?nomor=" + number)
        rows = admin.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
        self.assertTrue(any("rina" in r.text and "halaman berkas" in r.text for r in rows),
                        [r.text for r in rows])
        admin.shot("log-akses")
        admin.open("/log-akses?nomor=01-26-00001-0")
        self.assertIn("digit periksa", admin.text(".flash"))

    def test_conflict_settled_from_the_page(self):
        """The loket withdraws a forwarded file offline while the PTSP decides it; both reach the hub, which
        shows the conflict side by side. A petugas settles it on the page; the pimpinan only reads."""
        kabupaten = self.kabupaten
        # A file of its own at 33.74.02, so the other tests' files and counts stay as they were: once
        # settled it is no longer waiting at the PTSP.
        data = kabupaten.files["33.74.02"][0]
        args = ["permohonan", "create", "--data", data, "--layanan", "PBG-KECIL", "--nik", "3374020101850042",
                "--nama", "Pemohon Konflik", "--petugas", "Sari", "--json"]
        for s in SYARAT:
            args += ["--syarat", s]
        number = re.search(r'"number"\s*:\s*"([^"]+)"', run("simpul", args).stdout).group(1)
        run("simpul", ["permohonan", "forward", number, "--data", data, "--petugas", "Sari"])
        run("simpul", ["sync", "--data", data])
        run("simpul", ["permohonan", "withdraw", number, "--data", data, "--alasan", "Pemohon pindah ke luar kota",
                       "--petugas", "Sari"])
        kabid = Staff(self, kabupaten, "kabid")
        kabid.login()
        kabid.open("/permohonan/" + number)
        Select(kabid.driver.find_element(By.ID, "kode-keputusan")).select_by_value("50")
        kabid.driver.find_element(By.ID, "retribusi").send_keys("75.000")
        kabid.submit("Putuskan")
        self.assertIn("Tercatat", kabid.text(".flash"))
        run("simpul", ["sync", "--data", data])
        self.assertIn(number, run("simpul-hub", ["conflicts", "list", "--data", kabupaten.hub]).stdout)

        rina = Staff(self, kabupaten, "rina")
        rina.login()
        # The file says it has an open conflict and links to it.
        rina.open("/permohonan/" + number)
        rina.shot("berkas-dengan-konflik")
        self.assertIn("1 konflik terbuka", rina.text())
        rina.driver.find_element(By.LINK_TEXT, "Lihat konflik").click()
        self.assertIn("/konflik?nomor=" + number, rina.driver.current_url)
        self.assertEqual(rina.text("header nav a[href='/konflik'] .count"), "1")
        rina.shot("konflik-terbuka")
        card = rina.driver.find_element(By.CSS_SELECTOR, "section.konflik")
        self.assertIn("Semarang Utara (33.74.02)", card.text)
        sides = card.find_elements(By.CSS_SELECTOR, ".grid > .card")
        self.assertEqual(len(sides), 2)
        rina.driver.execute_script("arguments[0].scrollIntoView()", sides[0])
        rina.shot("konflik-dua-sisi")
        rina.driver.execute_script("arguments[0].scrollIntoView()", card.find_element(By.CSS_SELECTOR, "form"))
        rina.shot("konflik-formulir")
        both = sides[0].text + "\n" + sides[1].text
        self.assertIn("Permohonan ditarik pemohon: Pemohon pindah ke luar kota", both)
        self.assertIn("Sari (Petugas Loket)", both)
        self.assertIn("Keputusan PTSP: 50", both)
        self.assertIn("Ir. Bambang Kabid (kabid)", both)
        self.assertIn("ditulis di node 33.74.02", both)
        self.assertIn("ditulis di hub 33.74", both)
        self.assertIn("Keadaan sekarang", card.text)
        link = card.find_element(By.CSS_SELECTOR, "h2 a")
        self.assertTrue(link.get_attribute("href").endswith("/permohonan/" + number))

        # The pimpinan reads the same page without a form, and a forged one is refused by the server.
        kadis = Staff(self, kabupaten, "kadis")
        kadis.login()
        kadis.open("/konflik")
        kadis.shot("konflik-pimpinan")
        self.assertIn(number, kadis.text())
        self.assertEqual(kadis.driver.find_elements(By.CSS_SELECTOR, "form[action='/konflik/selesaikan']"), [])
        self.assertIn("Hanya baca", kadis.text())
        conflict_id = card.find_element(By.CSS_SELECTOR, "input[name=konflik]").get_attribute("value")
        status, _, body = kadis.request("/konflik/selesaikan", {
            "csrf": kadis.csrf(), "konflik": conflict_id, "status": "ditarik", "catatan": "dipalsukan"})
        self.assertEqual(status, 403)
        self.assertIn("tidak memegang peran Petugas PTSP", body.decode())
        # Without the session's token, even the petugas's form is refused.
        status, _, _ = rina.request("/konflik/selesaikan", {
            "csrf": "palsu", "konflik": conflict_id, "status": "ditarik", "catatan": "tanpa token"})
        self.assertEqual(status, 403)
        self.assertNotIn("Konflik diselesaikan", kabupaten.log(number))

        # Diproses needs the step the file waits at: one line says so, and nothing is written.
        Select(rina.driver.find_element(By.CSS_SELECTOR, "select[name=status]")).select_by_value("diproses")
        Select(rina.driver.find_element(By.CSS_SELECTOR, "select[name=tahap]")).select_by_value("")
        rina.driver.find_element(By.CSS_SELECTOR, "textarea[name=catatan]").send_keys("Coba lanjutkan")
        rina.submit("Selesaikan konflik")
        rina.shot("konflik-ditolak")
        self.assertIn("tahap: pilih tahap yang menunggu", rina.text(".flash"))
        self.assertNotIn("Konflik diselesaikan", kabupaten.log(number))
        # Only the steps a forwarded service allows are offered.
        options = [o.get_attribute("value") for o in
                   rina.driver.find_elements(By.CSS_SELECTOR, "select[name=tahap] option")]
        self.assertEqual(options, ["", "penerusan", "penyerahan"])

        Select(rina.driver.find_element(By.CSS_SELECTOR, "select[name=status]")).select_by_value("ditarik")
        rina.driver.find_element(By.CSS_SELECTOR, "textarea[name=catatan]").send_keys(
            "Pemohon menegaskan penarikan; keputusan PTSP tidak dipakai")
        rina.submit("Selesaikan konflik")
        rina.shot("konflik-diselesaikan")
        self.assertIn("Tercatat: Konflik diselesaikan", rina.text(".flash"))
        self.assertEqual(rina.driver.find_elements(By.CSS_SELECTOR, "section.konflik"), [])
        self.assertIn("Tidak ada konflik terbuka.", rina.text())
        self.assertEqual(rina.text("header nav a[href='/konflik'] .count"), "0")
        rina.driver.find_element(By.LINK_TEXT, "Tampilkan juga yang sudah diselesaikan").click()
        settled = rina.driver.find_element(By.CSS_SELECTOR, "section.konflik")
        rina.driver.execute_script("arguments[0].scrollIntoView()", settled)
        rina.shot("konflik-semua")
        self.assertIn("sudah diselesaikan", settled.text)
        self.assertIn("oleh Rina Kusuma (rina) (Petugas PTSP)", settled.text)
        self.assertEqual(settled.find_elements(By.CSS_SELECTOR, "form"), [])

        rina.open("/permohonan/" + number)
        self.assertNotIn("konflik terbuka", rina.text())
        timeline = rina.driver.find_element(By.CSS_SELECTOR, "ol.timeline")
        rina.driver.execute_script("arguments[0].scrollIntoView()", timeline)
        rina.shot("berkas-setelah-konflik")
        history = timeline.text
        self.assertIn("Rina Kusuma (rina) (Petugas PTSP)", history)
        self.assertIn("Konflik diselesaikan", history)
        self.assertIn("lanjut dengan status Ditarik pemohon", history)
        self.assertIn("Tidak ada konflik terbuka.",
                      run("simpul-hub", ["conflicts", "list", "--data", kabupaten.hub]).stdout)
        # The settlement reaches the loket on the kecamatan's next sync.
        run("simpul", ["sync", "--data", data])
        self.assertIn("Konflik diselesaikan", run("simpul", ["permohonan", "log", number, "--data", data]).stdout)

    def test_csv_export_of_the_current_filter(self):
        rina = Staff(self, self.kabupaten, "rina")
        rina.login()
        rina.open("/berkas?kecamatan=33.74.01&status=semua")
        rina.shot("berkas-33.74.01-semua")
        link = rina.driver.find_element(By.LINK_TEXT, "Unduh CSV").get_attribute("href")
        self.assertIn("kecamatan=33.74.01", link)
        status, headers, body = rina.request(urllib.parse.urlparse(link).path + "?" + urllib.parse.urlparse(link).query)
        self.assertEqual(status, 200)
        self.assertIn("text/csv", headers["Content-Type"])
        self.assertIn("attachment", headers["Content-Disposition"])
        text = body.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        rows = list(csv.DictReader(io.StringIO(text[1:])))
        self.assertEqual(sorted(r["nomor"] for r in rows), sorted(self.kabupaten.files["33.74.01"][1]))
        self.assertTrue(all(r["kecamatan"] == "33.74.01" for r in rows))
        self.assertTrue(all("*" in r["nik"] and not r["nik"].isdigit() for r in rows))
        self.assertEqual(rows[0].keys() >= {"layanan", "kode_oss", "jatuh_tempo", "retribusi"}, True)

    def xlsx_as_csv(self, office, body):
        """The workbook `body` as LibreOffice reads it, converted to CSV lines."""
        work = tempfile.mkdtemp(prefix="simpul-xlsx-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        workbook = os.path.join(work, "export.xlsx")
        with open(workbook, "wb") as f:
            f.write(body)
        # A profile of its own, so that runs in parallel or as another user do not share one. The filter's
        # ninth option writes each cell as shown, so the number and date formats are what is compared.
        converted = subprocess.run(
            [office, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false", "--outdir", work, workbook],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(converted.returncode, 0, converted.stderr)
        with open(os.path.join(work, "export.csv"), encoding="utf-8") as f:
            return f.read().splitlines()

    def test_xlsx_export_of_the_current_filter(self):
        """The workbook holds what the CSV holds, read back by LibreOffice as a spreadsheet user would."""
        office = shutil.which("libreoffice")
        self.assertIsNotNone(office, "libreoffice is missing: install libreoffice-calc-nogui (make deps)")
        rina = Staff(self, self.kabupaten, "rina")
        rina.login()
        rina.open("/berkas?kecamatan=33.74.01&status=semua")
        # The number's header, reached from the keyboard, orders the queue by number; again, the other way.
        for _ in range(2):
            page = rina.driver.find_element(By.TAG_NAME, "html")
            rina.driver.find_element(By.XPATH, "//th/a[starts-with(normalize-space(.), 'Nomor')]").send_keys(Keys.ENTER)
            rina.wait_gone(page)
        sorted_header = rina.driver.find_element(By.XPATH, "//th[@aria-sort]")
        self.assertEqual(sorted_header.get_attribute("aria-sort"), "descending")
        self.assertTrue(sorted_header.text.startswith("Nomor"))
        rina.shot("berkas-urut-nomor-turun")
        link = urllib.parse.urlparse(rina.driver.find_element(By.LINK_TEXT, "Unduh XLSX").get_attribute("href"))
        self.assertEqual(link.path, "/berkas.xlsx")
        self.assertIn("kecamatan=33.74.01", link.query)
        self.assertIn("urut=nomor&arah=turun", link.query)
        status, headers, body = rina.request(link.path + "?" + link.query)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn('attachment; filename="berkas-diteruskan-2026-03-17.xlsx"', headers["Content-Disposition"])
        self.assertTrue(body.startswith(b"PK\x03\x04"))
        status, _, csv_body = rina.request("/berkas.csv?" + link.query)
        self.assertEqual(status, 200)
        expected = list(csv.DictReader(io.StringIO(csv_body.decode("utf-8")[1:])))
        self.assertEqual(sorted(r["nomor"] for r in expected), sorted(self.kabupaten.files["33.74.01"][1]))

        shown = list(csv.DictReader(self.xlsx_as_csv(office, body)))
        self.assertEqual(len(shown), len(expected))
        # Both exports in the order the page shows: registration numbers descending.
        self.assertEqual([r["nomor"] for r in shown], [r["nomor"] for r in expected])
        self.assertEqual([r["nomor"] for r in expected], sorted((r["nomor"] for r in expected), reverse=True))

        def day(iso):
            return "-".join(reversed(iso.split("-"))) if iso else ""

        def rupiah(plain):
            return "Rp " + f"{int(plain):,}".replace(",", ".") if plain else ""

        by_number = {r["nomor"]: r for r in shown}
        for row in expected:
            got = by_number[row["nomor"]]
            for column in ["kecamatan", "nama_kecamatan", "layanan", "pemohon", "nik", "status", "kode_oss",
                           "keadaan"]:
                self.assertEqual(got[column], row[column], f"{row['nomor']} {column}")
            self.assertEqual(got["diterima"], day(row["diterima"]))
            self.assertEqual(got["jatuh_tempo"], day(row["jatuh_tempo"]))
            self.assertEqual(got["retribusi"], rupiah(row["retribusi"]))
            self.assertEqual(got["dibayar"], rupiah(row["dibayar"]))
            self.assertRegex(got["nik"], r"^337401\*{6}\d{4}$")
            self.assertEqual(got["kecamatan"], "33.74.01")
            self.assertRegex(got["diterima"], r"^\d{2}-\d{2}-\d{4}$")
        # Without a session there is only the login page.
        _, headers, body = Staff(self, self.kabupaten, "rina").request(link.path + "?" + link.query)
        self.assertNotIn("spreadsheetml", headers["Content-Type"])
        self.assertFalse(body.startswith(b"PK"))

    def test_wrong_password_refused(self):
        rina = Staff(self, self.kabupaten, "rina")
        rina.login(password="bukan-sandinya")
        rina.shot("sandi-salah")
        self.assertIn("/masuk", rina.driver.current_url)
        self.assertIn("Username atau kata sandi salah.", rina.text(".flash"))
        rina.open("/berkas")
        self.assertIn("/masuk", rina.driver.current_url)

    def test_node_enrolled_with_the_fingerprint_read_back_and_revoked(self):
        """Admin TI enrolls a kecamatan's key only when the fingerprint read over the phone matches, then revokes it."""
        kabupaten = self.kabupaten
        run("simpul-hub", ["user", "add", "--data", kabupaten.hub, "--username", "yusuf", "--nama", "Yusuf Admin TI",
                           "--peran", "admin-ti"], stdin=PASSWORD + "\n", check=False)
        data = os.path.join(kabupaten.root, "33.74.04")
        made = json.loads(run("simpul", ["init", "--data", data, "--node", "33.74.04", "--name", "Gayamsari",
                                         "--conf", os.path.join(REPO, "conf"), "--hub", kabupaten.sync_url,
                                         "--hub-ca", os.path.join(kabupaten.root, "certs", "cert.pem"),
                                         "--json"]).stdout)
        admin = Staff(self, kabupaten, "yusuf")
        admin.login()
        admin.open("/node")
        silent = next(r for r in admin.driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
                      if "33.74.03" in r.text)
        self.assertIn("DIAM", silent.text)
        self.assertIn("belum pernah sinkron", silent.text)
        self.assertIn("belum dilaporkan", silent.text)
        admin.shot("node")

        def enroll(read_back):
            admin.open("/node")
            admin.driver.find_element(By.ID, "node-kode").send_keys("33.74.04")
            admin.driver.find_element(By.ID, "node-kunci").send_keys(made["publicKey"])
            admin.driver.find_element(By.ID, "node-sidik").send_keys(read_back)
            admin.submit("Daftarkan")
            return admin.text(".flash")

        wrong = made["fingerprint"][:-4] + ("0000" if not made["fingerprint"].endswith("0000") else "1111")
        self.assertIn("tidak cocok", enroll(wrong))
        admin.shot("node-sidik-salah")
        self.assertNotIn("33.74.04", run("simpul-hub", ["node", "list", "--data", kabupaten.hub]).stdout)
        # Read back as a person says it: in groups of four, in capitals.
        spoken = " ".join(made["fingerprint"][i:i + 4] for i in range(0, 32, 4)).upper()
        self.assertIn("Node 33.74.04 terdaftar", enroll(spoken))
        self.assertIn("33.74.04", run("simpul-hub", ["node", "list", "--data", kabupaten.hub]).stdout)
        self.assertEqual(0, run("simpul", ["sync", "--data", data], check=False).returncode)
        admin.open("/node")
        row = next(r for r in admin.driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
                   if "33.74.04" in r.text)
        self.assertNotIn("DIAM", row.text)
        # The sync carried the agent's report of itself.
        for shown in ("Versi agen", "simpul/1", "Selisih jam", "Ukuran penyimpanan", "Event menunggu"):
            self.assertIn(shown, row.text)
        self.assertNotIn("JAM SALAH", row.text)
        form = admin.driver.find_element(By.CSS_SELECTOR, "form[action='/node/33.74.04/cabut']")
        page = admin.driver.find_element(By.TAG_NAME, "html")
        form.find_element(By.TAG_NAME, "button").click()
        admin.wait_for(expected_conditions.alert_is_present()).accept()
        admin.wait_gone(page)
        self.assertIn("Node 33.74.04 dicabut", admin.text(".flash"))
        admin.shot("node-dicabut")
        self.assertNotEqual(0, run("simpul", ["sync", "--data", data], check=False).returncode)

        kadis = Staff(self, kabupaten, "kadis")
        kadis.login()
        status, _, _ = kadis.request("/node")
        self.assertEqual(403, status)
        status, _, _ = kadis.request("/node/33.74.01/cabut", {"csrf": kadis.csrf()})
        self.assertEqual(403, status)
        self.assertNotIn("DICABUT", run("simpul-hub", ["node", "list", "--data", kabupaten.hub]).stdout.split("33.74.01")[1].split("\n")[0])

    def test_receipts_reconciled_per_kecamatan_and_day(self):
        """A fee the PTSP set is paid in part at the kecamatan, the kasir closes the day and deposits part of it;
        the hub shows the receipt by day against the closing, the deposit, and what is still owed and held."""
        kabupaten = self.kabupaten
        data, numbers = kabupaten.files["33.74.02"]
        number = numbers[0]
        run("simpul-hub", ["permohonan", "decide", number, "--data", kabupaten.hub, "--kode", "50",
                           "--retribusi", "200000", "--petugas", "Ir. Bambang"])
        run("simpul", ["sync", "--data", data])
        run("simpul", ["kasir", "pay", number, "--jumlah", "50000", "--data", data, "--petugas", "Dedi"])
        run("simpul", ["kasir", "tutup", "--data", data, "--petugas", "Dedi"])
        run("simpul", ["kasir", "setor", "--jumlah", "30.000", "--bukti", "BPD-7781", "--data", data,
                       "--petugas", "Dedi"])
        run("simpul", ["sync", "--data", data])
        kadis = Staff(self, kabupaten, "kadis")
        kadis.login()
        kadis.driver.find_element(By.LINK_TEXT, "Penerimaan").click()
        kadis.wait_for(lambda d: "Penerimaan retribusi" in d.title)
        self.assertIn("Penerimaan retribusi Maret 2026", kadis.text("h1"))
        text = kadis.text("main")
        self.assertIn("Diterima bulan ini: Rp 50.000; disetor: Rp 30.000; belum disetor: Rp 20.000", text)
        self.assertRegex(text, r"Semarang Utara \(33\.74\.02\) 1 Rp 50\.000 Rp 30\.000 Rp 20\.000")
        self.assertRegex(text, r"Semarang Utara \(33\.74\.02\) 33\.74\.02 17 Mar 2026 1 Rp 50\.000 "
                               r"1 kuitansi, Rp 50\.000 Cocok")
        self.assertRegex(text, r"Semarang Utara \(33\.74\.02\) 33\.74\.02 17 Mar 2026 Rp 30\.000 BPD-7781 Dedi")
        self.assertIn("Tidak ada nomor yang hilang atau berulang", text)
        owed = next(r for r in kadis.driver.find_elements(By.CSS_SELECTOR, "table tbody tr") if number in r.text)
        self.assertIn("Rp 200.000 Rp 50.000 Rp 150.000", owed.text)
        kadis.shot("penerimaan")
        kadis.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        kadis.shot("penerimaan-setoran")
        status, headers, body = kadis.request("/penerimaan.csv?bulan=2026-03")
        self.assertEqual(200, status)
        text = body.decode("utf-8")
        self.assertIn("\r\nharian,33.74.02,33.74.02,2026-03-17,1,50000,1,50000,Cocok,,Dedi\r\n", text)
        self.assertIn("\r\nsetoran,33.74.02,33.74.02,2026-03-17,,30000,,,,BPD-7781,Dedi\r\n", text)
        # The same rows as a workbook that LibreOffice reads, amounts as rupiah and dates as dates.
        office = shutil.which("libreoffice")
        self.assertIsNotNone(office, "libreoffice is missing: install libreoffice-calc-nogui (make deps)")
        status, headers, body = kadis.request("/penerimaan.xlsx?bulan=2026-03")
        self.assertEqual(200, status)
        self.assertIn('filename="penerimaan-2026-03.xlsx"', headers["Content-Disposition"])
        rows = list(csv.reader(self.xlsx_as_csv(office, body)))
        self.assertEqual(rows[0][:6], ["Jenis", "Kecamatan", "Node", "Tanggal", "Kuitansi", "Jumlah"])
        self.assertIn(["harian", "33.74.02", "33.74.02", "17-03-2026", "1", "Rp 50.000", "1", "Rp 50.000", "Cocok",
                       "", "Dedi"], rows)
        self.assertIn(["setoran", "33.74.02", "33.74.02", "17-03-2026", "", "Rp 30.000", "", "", "", "BPD-7781",
                       "Dedi"], rows)
        kadis.open("/penerimaan?bulan=2026-02")
        self.assertIn("Belum ada kuitansi atau setoran bulan ini", kadis.text("main"))
        kadis.open("/penerimaan?bulan=maret")
        self.assertIn("harus YYYY-MM", kadis.text("main"))

    def test_ikm_and_complaints_per_kecamatan(self):
        """Survey responses and complaints written at the kecamatan reach the hub: IKM and open/late complaints per kecamatan."""
        kabupaten = self.kabupaten
        data = kabupaten.files["33.74.02"][0]
        syarat = ["pengantar-rt-rw", "pengantar-desa", "ktp", "kk"]
        for i, answers in enumerate([[4, 4, 3, 3, 4, 3, 4, 3, 3], [3, 2, 3, 4, 3, 3, 3, 2, 3]]):
            args = ["permohonan", "create", "--data", data, "--layanan", "SKTM", "--nik", f"33740201018500{i + 1:02d}",
                    "--nama", f"Warga {i + 1}", "--petugas", "Sari", "--json"]
            for item in syarat:
                args += ["--syarat", item]
            number = re.search(r'"number"\s*:\s*"([^"]+)"', run("simpul", args).stdout).group(1)
            for _ in range(6):
                run("simpul", ["permohonan", "advance", number, "--data", data, "--petugas", "Petugas"])
            survey = ["skm", "isi", number, "--data", data, "--petugas", "Tono"]
            for k, a in enumerate(answers):
                survey += [f"--u{k + 1}", str(a)]
            run("simpul", survey)
        # A complaint received on 2 March is late by 17 March (respond by 16 March); one from today is not.
        run("simpul", ["pengaduan", "terima", "--data", data, "--saluran", "surat", "--isi", "Surat keterangan lama jadi",
                       "--layanan", "SKTM", "--petugas", "Rina"], env=dict(os.environ, SIMPUL_NOW="2026-03-02T09:00:00+07:00"))
        run("simpul", ["pengaduan", "terima", "--data", data, "--saluran", "kotak-saran", "--isi", "Kursi tunggu kurang",
                       "--petugas", "Rina"])
        run("simpul", ["sync", "--data", data])
        kadis = Staff(self, kabupaten, "kadis")
        kadis.login()
        kadis.driver.find_element(By.LINK_TEXT, "IKM & pengaduan").click()
        kadis.wait_for(lambda d: "IKM dan pengaduan" in d.title)
        self.assertIn("IKM dan pengaduan Maret 2026", kadis.text("h1"))
        row = next(r for r in kadis.driver.find_elements(By.CSS_SELECTOR, "table tbody tr") if "33.74.02" in r.text)
        # (31 + 26) / 18 = 3,1667 x 25 = 79,17: B, Baik.
        self.assertIn("2 79,17 B Baik 2 0 2 1", row.text)
        text = kadis.text("main")
        self.assertIn("ADU/02/26-00001", text)
        self.assertIn("Terlambat: belum ditanggapi", text)
        self.assertIn("ADU/02/26-00002", text)
        late = kadis.driver.find_elements(By.CSS_SELECTOR, "tr.late")
        self.assertEqual(1, len(late))
        self.assertIn("ADU/02/26-00001", late[0].text)
        kadis.shot("ikm-pengaduan")
        kadis.open("/kepuasan?bulan=2026-02")
        self.assertIn("IKM seluruh kecamatan: -", kadis.text("main"))
        kadis.open("/kepuasan?bulan=maret")
        self.assertIn("harus YYYY-MM", kadis.text("main"))

    def test_csrf_refused(self):
        number = self.number("33.74.01", 1)
        rina = Staff(self, self.kabupaten, "rina")
        rina.login()
        status, _, body = rina.request(f"/permohonan/{number}/aksi",
                                       {"csrf": "palsu", "aksi": "kode", "kode": "20"})
        self.assertEqual(status, 403)
        self.assertIn("Formulir kedaluwarsa", body.decode())
        self.assertNotIn("20 Validasi", self.kabupaten.log(number))
        # A form without a session changes nothing either: it is sent to the login page.
        stranger = Staff(self, self.kabupaten, "rina")
        stranger.open("/masuk")
        status, _, body = stranger.request(f"/permohonan/{number}/aksi", {"aksi": "kode", "kode": "20"})
        self.assertEqual(status, 200)
        self.assertIn('id="password"', body.decode())
        self.assertNotIn("20 Validasi", self.kabupaten.log(number))

    def test_issued_document_uploaded_and_received_at_the_counter(self):
        """A petugas uploads the signed izin on an approved file; the kecamatan's next sync brings it to
        the counter. The pimpinan cannot upload one."""
        kabupaten = self.kabupaten
        # A file of its own, so the other tests' files and counts stay as they were.
        data = kabupaten.files["33.74.02"][0]
        args = ["permohonan", "create", "--data", data, "--layanan", "PBG-KECIL", "--nik", "3374020101850043",
                "--nama", "Pemohon Izin", "--petugas", "Sari", "--json"]
        for s in SYARAT:
            args += ["--syarat", s]
        number = re.search(r'"number"\s*:\s*"([^"]+)"', run("simpul", args).stdout).group(1)
        run("simpul", ["permohonan", "forward", number, "--data", data, "--petugas", "Sari"])
        run("simpul", ["sync", "--data", data])
        rina = Staff(self, kabupaten, "rina")
        rina.login()
        rina.open("/permohonan/" + number)
        # Not approved yet: no place for an issued document.
        self.assertEqual([], rina.driver.find_elements(By.ID, "berkas-terbit"))
        run("simpul-hub", ["permohonan", "decide", number, "--data", kabupaten.hub, "--kode", "50",
                           "--retribusi", "50000", "--petugas", "Kabid"])
        rina.open("/permohonan/" + number)
        self.assertIn("Belum ada dokumen terbit", rina.text())
        izin = os.path.join(kabupaten.root, "izin-pbg.pdf")
        with open(izin, "wb") as f:
            f.write(IZIN_PDF)
        rina.driver.find_element(By.ID, "nomor-dokumen").send_keys("503/0456/DPMPTSP/2026")
        rina.driver.find_element(By.ID, "berkas-terbit").send_keys(izin)
        rina.shot("dokumen-terbit-diisi")
        page = rina.driver.find_element(By.TAG_NAME, "html")
        next(b for b in rina.driver.find_elements(By.CSS_SELECTOR, "main button")
             if b.text.strip() == "Unggah dokumen terbit").click()
        # The script reloads the page once the hub answers.
        rina.wait_gone(page)
        rina.wait_for(lambda d: "503/0456/DPMPTSP/2026" in d.find_element(By.TAG_NAME, "main").text)
        rina.shot("dokumen-terbit-diunggah")
        self.assertIn("Buka dokumen", rina.text())
        self.assertIn("Dokumen terbit PTSP nomor 503/0456/DPMPTSP/2026", rina.text("ol.timeline"))
        self.assertIn("Rina Kusuma (rina)", kabupaten.log(number))

        # A read-only account is refused by the server, whatever its script sends.
        kadis = Staff(self, kabupaten, "kadis")
        kadis.login()
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        forged = urllib.request.Request(
            kabupaten.url + f"/permohonan/{number}/dokumen-terbit?nama=palsu.pdf&nomor=1", data=IZIN_PDF,
            headers={"Cookie": kadis.cookie_header(), "X-CSRF-Token": kadis.csrf(),
                     "Content-Type": "application/pdf"})
        try:
            urllib.request.urlopen(forged, context=context, timeout=30)
            self.fail("the pimpinan's upload was accepted")
        except urllib.error.HTTPError as error:
            self.assertEqual(403, error.code)
        self.assertNotIn("palsu.pdf", kabupaten.log(number))

        # The counter's next sync brings the document and its bytes.
        run("simpul", ["sync", "--data", data])
        shown = json.loads(run("simpul", ["permohonan", "show", number, "--data", data, "--json"]).stdout)
        shown = shown.get("permohonan", shown)
        issued = [a for a in shown["attachments"] if a.get("issuedNumber")]
        self.assertEqual(["503/0456/DPMPTSP/2026"], [a["issuedNumber"] for a in issued])
        self.assertTrue(issued[0]["complete"])

    def test_pimpinan_reads_but_cannot_decide(self):
        number = self.number("33.74.01", 2)
        kadis = Staff(self, self.kabupaten, "kadis")
        kadis.login()
        kadis.open("/permohonan/" + number)
        kadis.shot("pimpinan-hanya-baca")
        self.assertEqual(kadis.buttons(), [])
        self.assertIn("Hanya baca", kadis.text())
        # A forged decision with the session's own token is refused by the server.
        status, _, body = kadis.request(
            f"/permohonan/{number}/aksi",
            {"csrf": kadis.csrf(), "aksi": "putuskan", "kode": "50", "retribusi": "1"})
        self.assertEqual(status, 403)
        self.assertIn("tidak memegang peran Pengambil Keputusan PTSP", body.decode())
        self.assertNotIn("Kadis", self.kabupaten.log(number))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
