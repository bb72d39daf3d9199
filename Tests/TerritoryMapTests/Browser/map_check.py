"""The web map at /map in a real browser: headless Chromium (Debian's chromium) driven by
Selenium through Debian's chromedriver, so nothing is downloaded.

    map_check.py BASE_URL SCREENSHOT_FOLDER

Prints one line per check and exits 1 at the first failure (with what was found), 0 when every
check passed. The Swift test MapPageTests runs it against `territory serve` on the built-in data.
"""
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, SHOTS = sys.argv[1], sys.argv[2]
LACHIN = (46.5469, 39.6408)
KALBAJAR = (46.0383, 40.1067)


def fail(message):
    print("FAILED: " + message, flush=True)
    sys.exit(1)


def check(condition, message, found=None):
    if not condition:
        fail(message + ("" if found is None else " (found: %r)" % (found,)))
    print("ok: " + message, flush=True)


def get_json(path):
    with urllib.request.urlopen(BASE + path, timeout=30) as r:
        return json.load(r)


options = Options()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-default-apps", "--lang=en"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(60)
wait = WebDriverWait(driver, 30)


def drawn(date, facet="control"):
    wait.until(lambda d: (d.find_element(By.TAG_NAME, "body").get_attribute("data-drawn") or "").startswith(date + " " + facet + " "))


def console_errors():
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_map(query):
    driver.get(BASE + "/map?" + query)


def grounds():
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-ground-pane path')).map(p => p.getAttribute('class') + ' ' + p.getAttribute('fill') + ' ' + p.getAttribute('d'))")


def click_at(lon, lat):
    """A real click where the map draws lon, lat."""
    element = driver.find_element(By.ID, "map")
    x, y = driver.execute_script("const p = window.territoryMap.latLngToContainerPoint([arguments[1], arguments[0]]); return [p.x, p.y];", lon, lat)
    size = element.size
    ActionChains(driver).move_to_element_with_offset(element, int(round(x - size["width"] / 2)), int(round(y - size["height"] / 2))).click().perform()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content .status"))
    return driver.find_element(By.CSS_SELECTOR, ".leaflet-popup-content .status")


def row(popup, facet):
    # textContent, not the visible text: a tall popup may be panned into view after it opens.
    cells = popup.find_elements(By.CSS_SELECTOR, "tr[data-facet='%s']" % facet)
    return " ".join((cells[0].get_attribute("textContent") or "").split()) if cells else ""


try:
    os.makedirs(SHOTS, exist_ok=True)
    # The page, on 1 June 2021: no console errors, the map exposed, the slider's marks.
    open_map("date=2021-06-01&facet=control")
    drawn("2021-06-01")
    check(driver.execute_script("return typeof window.territoryMap === 'object' && typeof window.territoryMap.getCenter === 'function'"),
          "window.territoryMap is the page's Leaflet map")
    check(driver.execute_script("return typeof L === 'object' && L.version") is not None, "Leaflet loaded from /map/leaflet/")
    errors = console_errors()
    check(not errors, "no console errors on load", errors)
    days = [d["date"] for d in get_json("/days")["days"]]
    ticks = driver.execute_script("return Array.from(document.querySelectorAll('#ticks .tick')).map(t => t.dataset.date)")
    check(ticks == days, "the slider's marks are the days of /days (%d)" % len(days), ticks)
    options_ = driver.execute_script("return Array.from(document.querySelectorAll('#marks option')).map(o => o.label)")
    check(options_ == days, "the slider's datalist holds the same days", options_)
    legend = driver.find_element(By.CSS_SELECTOR, ".legend").text
    check("Russian peacekeeping contingent" in legend and "Present:" in legend and "Lachin corridor, access: Open" in legend,
          "the legend names the holders, the presence and the corridor's access", legend)
    check(len(driver.find_elements(By.CSS_SELECTOR, ".leaflet-presence-pane path")) > 0, "presence is drawn over control")
    hatch = driver.execute_script("return Array.from(document.querySelectorAll('.leaflet-presence-pane path')).map(p => p.getAttribute('fill'))")
    check(all(h.startswith("url(#hatch-") for h in hatch), "presence is hatched", hatch)
    check(len(driver.find_elements(By.CSS_SELECTOR, ".leaflet-access-pane path")) > 0, "the corridor's access is drawn")
    names = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".district-name")]
    check("Lachin" in names and "Kalbajar" in names and len(names) == 11, "the districts are named", names)
    towns = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".town-name")]
    check(any(t.startswith("Lachin") for t in towns) and len(towns) >= 10, "the towns are drawn and named", towns)

    # The popup at Lachin town on 1 June 2021: the Russian contingent, point 6 (the corridor).
    popup = click_at(*LACHIN)
    text = popup.text
    check("Russian peacekeeping contingent" in row(popup, "control"), "Lachin, 2021-06-01: control by the Russian peacekeeping contingent", text)
    check("since 10 November 2020" in row(popup, "control"), "Lachin: since when", row(popup, "control"))
    check("point 6" in text and "tri2020-p6-corridor" in text, "Lachin: point 6 of the statement (the corridor) with its source", text)
    driver.save_screenshot(os.path.join(SHOTS, "map-2021-06-01.png"))

    # Kalbajar town: the Nagorno-Karabakh authorities on 20 November 2020, Azerbaijan on the 26th.
    open_map("date=2020-11-20&facet=control")
    drawn("2020-11-20")
    popup = click_at(*KALBAJAR)
    check("Nagorno-Karabakh authorities" in row(popup, "control"), "Kalbajar, 2020-11-20: the Nagorno-Karabakh authorities", popup.text)
    before = grounds()
    # Moving the slider (six days with the arrow key) changes the features drawn and the URL.
    slider = driver.find_element(By.ID, "slider")
    slider.click()
    driver.execute_script("arguments[0].value = String(Math.round(Date.parse('2020-11-20T00:00:00Z') / 86400000)); arguments[0].dispatchEvent(new Event('input'));", slider)
    drawn("2020-11-20")
    for _ in range(6):
        slider.send_keys(Keys.ARROW_RIGHT)
    drawn("2020-11-26")
    after = grounds()
    check(before != after and len(after) > 0, "moving the slider from 2020-11-20 to 2020-11-26 changes the ground drawn", (len(before), len(after)))
    check("date=2020-11-26" in driver.current_url and "facet=control" in driver.current_url, "the URL keeps the day and the facet", driver.current_url)
    check(driver.find_element(By.ID, "date").get_attribute("value") == "2020-11-26", "the date field follows the slider")
    popup = click_at(*KALBAJAR)
    check("Azerbaijan" in row(popup, "control") and "Nagorno-Karabakh" not in row(popup, "control"), "Kalbajar, 2020-11-26: Azerbaijan", popup.text)
    driver.save_screenshot(os.path.join(SHOTS, "map-2020-11-26.png"))

    # A link reopens the same map: day, facet and view.
    driver.execute_script("window.territoryMap.setView([39.75, 46.70], 10)")
    wait.until(lambda d: "zoom=10" in d.current_url)
    link = driver.current_url
    view = driver.execute_script("const c = window.territoryMap.getCenter(); return [c.lat, c.lng, window.territoryMap.getZoom()]")
    driver.get(link)
    drawn("2020-11-26")
    again = driver.execute_script("const c = window.territoryMap.getCenter(); return [c.lat, c.lng, window.territoryMap.getZoom()]")
    check(abs(again[0] - view[0]) < 1e-4 and abs(again[1] - view[1]) < 1e-4 and again[2] == view[2], "a link reopens the same view", (view, again))

    # Play steps from change to change; pause stops.
    later = [d for d in days if d > "2020-11-26"][0]
    driver.find_element(By.ID, "play").click()
    drawn(later)
    driver.find_element(By.ID, "play").click()
    check(driver.find_element(By.ID, "play").text.startswith("▶"), "play reached the next change day (%s) and pause stops" % later)

    # The facet selector; the view of 9 November 2020, the eve of the statement.
    Select(driver.find_element(By.ID, "facet")).select_by_value("presence")
    drawn(later, "presence")
    check("facet=presence" in driver.current_url, "the facet selector redraws and keeps the facet in the URL", driver.current_url)
    open_map("date=2020-11-09&facet=control")
    drawn("2020-11-09")
    check(len(driver.find_elements(By.CSS_SELECTOR, ".leaflet-presence-pane path")) == 0, "no peacekeepers on 2020-11-09")
    driver.save_screenshot(os.path.join(SHOTS, "map-2020-11-09.png"))
    errors = console_errors()
    check(not errors, "no console errors after every step", errors)
finally:
    driver.quit()
print("all checks passed", flush=True)
