"""Writes gbk_traditional.csv: a GBK-encoded CSV keyed by traditional-character names,
including 萊蕪 (merged into 济南 in 2019), as Chinese Excel exports it."""

from pathlib import Path

ROWS = [
    ("城市", "智能感知", "智慧管理", "惠民服务", "網絡空間", "主體協同"),
    ("青島市", "10.0", "18.5", "21.5", "5.0", "13.3"),
    ("廣州", "9.2", "17.1", "18.7", "8.0", "9.0"),
    ("廈門市", "9.6", "17.0", "17.6", "8.0", "12.3"),
    ("萊蕪市", "3.1", "10.2", "14.0", "3.3", "8.8"),
    ("蘇 州", "8.0", "15.0", "18.0", "5.0", "11.0"),
    ("烏魯木齊", "5.5", "11.0", "15.5", "4.0", "9.5"),
]


def write(path: Path) -> Path:
    text = "\r\n".join(",".join(r) for r in ROWS) + "\r\n"
    path.write_bytes(text.encode("gbk"))
    return path


if __name__ == "__main__":
    write(Path(__file__).with_name("gbk_traditional.csv"))
