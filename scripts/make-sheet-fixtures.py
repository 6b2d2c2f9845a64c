#!/usr/bin/env python3
"""Writes the spreadsheet twins of tests/fixtures/sheets/*.md (and, with --big N, an N-task
workbook for measuring import time). Needs openpyxl (`pip install openpyxl`); the fixtures it
writes are committed, so tests do not need it.

    scripts/make-sheet-fixtures.py                 # tests/fixtures/sheets/cutover.xlsx, timeline.csv
    scripts/make-sheet-fixtures.py --big 10000 OUT.xlsx
"""
import csv
import datetime
import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sheets"


def t(hhmm):
    h, m = hhmm.split(":")
    return datetime.time(int(h), int(m))


def sheet(wb, name, rows, time_col=None):
    ws = wb.create_sheet(name)
    for row in rows:
        ws.append(row)
    if time_col is not None:
        for r in ws.iter_rows(min_row=2, min_col=time_col + 1, max_col=time_col + 1):
            for c in r:
                c.number_format = "hh:mm"
    return ws


def cutover():
    wb = Workbook()
    wb.remove(wb.active)
    sheet(wb, "Overview", [
        ["Cutover Kho Hà Nội"],
        ["Version", 2.1],
        ["Date", "2026-03-07"],
        ["Window", "06:00 - 12:00"],
        ["Hypercare", "24h"],
    ])
    sheet(wb, "Contacts", [
        ["Role", "Name", "Phone", "Backup"],
        ["Tech Lead", "Nguyễn Lan", "0900 111 222", "Trần Huy"],
        ["DBA", "Trần Huy", "0900 333 444", None],
        ["QA Lead", "Lê Thảo", "0900 555 666", None],
    ])
    head = ["Time", "Task", "Owner", "Duration", "Notes"]
    sheet(wb, "Phase 1 - Chuẩn bị", [
        head,
        [t("06:00"), "Team standup call", "Tech Lead", 10, "bridge 8812"],
        [t("06:10"), "Khóa hệ thống cũ (read-only)", "DBA", 15, None],
        [t("06:30"), "CHECKPOINT 1: Confirm proceed", "All", None, None],
    ], time_col=0)
    sheet(wb, "Phase 2 - Data Migration", [
        head,
        [t("06:30"), "Export data từ hệ thống cũ", "DBA", 30, None],
        [t("07:00"), "Chạy migration scripts (`make migrate`)", "DBA", 30, None],
        [t("07:30"), "Validate record counts", "QA Lead", 15, "so khớp 3 bảng"],
        [t("08:00"), "CHECKPOINT 2: Data migration OK", "All", None, None],
    ], time_col=0)
    sheet(wb, "When to Roll Back", [
        ["Trigger", "Condition"],
        ["Error rate", "> 5% for 10 min"],
        ["Data", "Phát hiện data corruption"],
    ])
    sheet(wb, "Decision Matrix", [
        ["Issue", "Severity", "Rollback?", "Approver"],
        ["Minor UI bug", "P3", "No, fix forward", "Tech Lead"],
        ["Data corruption", "P1", "YES", "Tech Lead + DBA"],
    ])
    sheet(wb, "Rollback Steps", [
        ["Step", "Command", "Duration"],
        ["Stop new services", "`docker compose down`", 10],
        ["Restore database backup", "`./scripts/restore-db.sh /backups/pre.sql.gz`", 30],
    ])
    sheet(wb, "Metrics to Watch", [
        ["Metric", "Target", "Alert Threshold"],
        ["Error rate", "< 0.1%", "> 1%"],
        ["Response p95", "< 200ms", "> 500ms"],
    ])
    wb.save(HERE / "cutover.xlsx")


def timeline():
    p1 = "Phase 1: Chuẩn bị (6:00 - 6:30)"
    p2 = "Phase 2: Go-Live (6:30 - 8:00)"
    rows = [
        ["Timeline Cutover"],
        ["Phase", "Time", "Task", "Owner", "Status"],
        [p1, "6:00", "Team standup call - xác nhận ready", "Tech Lead", "☐"],
        [p1, "6:10", "Verify tất cả thành viên online", "Tech Lead", "☐"],
        [p1, "6:30", "CHECKPOINT 1: Confirm proceed", "All", "☐"],
        [p2, "6:30", "Enable user access", "DevOps", "☐"],
        [p2, "7:00", "Monitor first user logins", "QA", "☐"],
        [p2, "23:30", "Nightly batch check", "DBA", "☐"],
        [p2, "00:15", "Confirm batch finished", "DBA", "☐"],
    ]
    with open(HERE / "timeline.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def big(n, out):
    wb = Workbook(write_only=True)
    per_phase = 50
    for p in range(0, n, per_phase):
        ws = wb.create_sheet(f"Phase {p // per_phase + 1}")
        ws.append(["Time", "Task", "Owner", "Duration"])
        for i in range(p, min(n, p + per_phase)):
            # A minute apart, across days: each midnight moves the timeline to the next day.
            minutes = i % 1440
            ws.append([datetime.time(minutes // 60, minutes % 60), f"Task {i + 1}: migrate table {i}", "DBA", 1])
    wb.save(out)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--big":
        big(int(sys.argv[2]), sys.argv[3])
    else:
        cutover()
        timeline()
