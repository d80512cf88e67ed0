"""Take the README screenshots from a running demo (`make demo`, or `cxops demo` + `cxops serve`).

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 --out docs/screenshots

Needs Debian's Chromium (/usr/bin/chromium) and the demo logins (password cxops-demo-1234).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

PASSWORD = "cxops-demo-1234"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(r"/w/"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--workspace", default="shop")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base, slug = args.base.rstrip("/"), args.workspace
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        desk = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 900}).new_page()
        sign_in(desk, base, "lead@cxops.demo")
        desk.goto(f"{base}/w/{slug}/inbox/?view=open")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "inbox.png"))
        first = desk.locator(".inbox-table tbody tr a").first
        first.click()
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "ticket.png"))
        desk.goto(f"{base}/w/{slug}/inbox/?view=all&q=%EB%B0%B0%EC%86%A1%20%EB%8A%A6%EC%96%B4%EC%9A%94")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "search.png"))
        desk.goto(f"{base}/w/{slug}/kb/dashboard/")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "kb-dashboard.png"))
        desk.goto(f"{base}/w/{slug}/voc/")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "voc-dashboard.png"))
        desk.goto(f"{base}/w/{slug}/workforce/staffing/")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "workforce-staffing.png"))
        desk.goto(f"{base}/w/{slug}/collab/checklists/")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "collaboration.png"))
        desk.goto(f"{base}/w/{slug}/complaints/")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "complaints.png"))
        manager = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 900}).new_page()
        sign_in(manager, base, "manager@cxops.demo")
        manager.goto(f"{base}/w/{slug}/settings/sla/")
        manager.wait_for_load_state("networkidle")
        manager.screenshot(path=str(args.out / "sla-settings.png"))
        desk.goto(f"{base}/w/{slug}/calls/new/")
        desk.fill("#call-phone", "")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(args.out / "call-log.png"))
        tablet = browser.new_context(locale="ko-KR", viewport={"width": 820, "height": 1180}).new_page()
        sign_in(tablet, base, "agent2@cxops.demo")
        tablet.goto(f"{base}/w/scooter/inbox/?view=open")
        tablet.wait_for_load_state("networkidle")
        tablet.screenshot(path=str(args.out / "inbox-tablet.png"))
        phone = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844},
                                    device_scale_factor=2).new_page()
        phone.goto(f"{base}/p/{slug}/help/")
        phone.wait_for_load_state("networkidle")
        phone.screenshot(path=str(args.out / "help-center.png"))
        phone.goto(f"{base}/p/{slug}/inquiry/")
        phone.wait_for_load_state("networkidle")
        phone.screenshot(path=str(args.out / "board-form.png"), full_page=True)
        browser.close()
    print("screenshots written to", args.out)


if __name__ == "__main__":
    main()
