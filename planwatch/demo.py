"""Demo data for `manage.py loaddemo` (run by `make run`): the demo directory, demo
accounts, two demo plans written here as DOCX and the seed plans of ../shared/seeds.

Everything is idempotent: accounts are created only when missing (an existing account
keeps its password), and the DOCX are byte-for-byte the same on every run, so the
duplicate check of plans.services.plan_import_file returns the plan already imported.

The demo plans follow the seeds: header table (issuing body | national motto, "Số:" |
place and date), "KẾ HOẠCH" and its title, I. MỤC ĐÍCH, YÊU CẦU, II. NỘI DUNG …
(with the window and a "cao điểm" period), III. TỔ CHỨC THỰC HIỆN with the activities,
either as numbered items with labelled fields or as the usual activity table. The
DemoPlan values are also what docparse must read back (planwatch/tests/test_demo.py).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DEMO_LABEL = "DỮ LIỆU MẪU / demo only"
# One password for every demo account: these accounts exist to be tried out.
DEMO_PASSWORD = "planwatch-demo-2024"
DEMO_PROVINCE = "Đắk Nông"
# The provinces a seed may belong to, found in its issuer, place or title.
SEED_PROVINCES = ("Đắk Nông", "Đắk Lắk", "Kon Tum")


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # accounts.User.Role value
    first_name: str
    last_name: str
    description: str  # printed next to the login
    units: tuple[str, ...] = ()  # full unit names in the demo directory (directory/demo_data)
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "officer", "Quản trị", "", "quản trị hệ thống (superuser)", is_staff=True, is_superuser=True),
    # The officer belongs to the department (its name heads the documents she exports).
    DemoUser("canbo.daknong", "officer", "Lan", "Nguyễn Thị", "cán bộ Sở VHTTDL, tỉnh Đắk Nông", is_staff=True,
             units=("Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Nông",)),
    DemoUser("lanhdao.daknong", "leader", "Hùng", "Trần Văn", "lãnh đạo, tỉnh Đắk Nông"),
    DemoUser("baodaknong", "reporter", "Minh", "Lê Văn", "cán bộ Báo Đắk Nông", units=("Báo Đắk Nông",)),
    DemoUser(
        "sovhttdl", "reporter", "Hoa", "Phạm Thị", "cán bộ Sở VHTTDL Đắk Nông",
        units=("Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Nông",),
    ),
    DemoUser(
        "daiptth", "reporter", "Tuấn", "Đỗ Anh", "cán bộ Đài PT-TH Đắk Nông",
        units=("Đài Phát thanh và Truyền hình Đắk Nông",),
    ),
)


@dataclass(frozen=True)
class DemoActivity:
    """One activity as written, and what it means under the seeds' date conventions
    (ISO dates; "Trước ngày D" is a deadline of D − 1)."""

    title: str
    detail: str  # the "Nội dung" field of the outline layout; the table shows the title only
    lead: tuple[str, ...]
    support: tuple[str, ...]
    time: str
    start: str | None = None
    end: str | None = None
    deadline: str | None = None


@dataclass(frozen=True)
class DemoPlan:
    filename: str
    number: str
    date: dt.date
    title: str
    intro: str
    purposes: tuple[str, ...]
    requirements: tuple[str, ...]
    topics: tuple[str, ...]
    window: str  # "từ tháng 3/2024 đến hết tháng 5/2024"
    peak: str  # the "cao điểm" period as written
    peak_start: str
    peak_end: str
    layout: str  # "outline": numbered items with labelled fields; "table": the activity table
    activities: tuple[DemoActivity, ...] = field(default_factory=tuple)
    issuer: tuple[str, ...] = ("ỦY BAN NHÂN DÂN", "TỈNH ĐẮK NÔNG")
    place: str = "Đắk Nông"

    def ref(self, index: int) -> str:
        """The docparse ref of activity `index` (0-based)."""
        return f"III.{index + 1}" if self.layout == "outline" else f"PL.{index + 1}"


DEMO_PLANS: tuple[DemoPlan, ...] = (
    DemoPlan(
        filename="demo-68-KH-UBND-dien-bien-phu.docx",
        number="68/KH-UBND",
        date=dt.date(2024, 3, 12),
        title="Thông tin, tuyên truyền kỷ niệm 70 năm Chiến thắng Điện Biên Phủ trên địa bàn tỉnh Đắk Nông"
        " (dữ liệu mẫu)",
        intro="Ủy ban nhân dân tỉnh ban hành Kế hoạch thông tin, tuyên truyền kỷ niệm 70 năm Chiến thắng Điện"
        " Biên Phủ trên địa bàn tỉnh với các nội dung sau:",
        purposes=(
            "Tuyên truyền sâu rộng ý nghĩa lịch sử và tầm vóc thời đại của Chiến thắng Điện Biên Phủ;"
            " giáo dục truyền thống yêu nước, lòng tự hào dân tộc cho cán bộ, đảng viên và Nhân dân.",
        ),
        requirements=(
            "Công tác tuyên truyền bảo đảm định hướng, thiết thực, hiệu quả; phát huy vai trò của các cơ quan"
            " báo chí, hệ thống thông tin cơ sở và mạng xã hội.",
        ),
        topics=(
            "Diễn biến, ý nghĩa lịch sử của Chiến dịch Điện Biên Phủ.",
            "Những thành tựu phát triển kinh tế - xã hội của tỉnh Đắk Nông.",
        ),
        window="từ tháng 3/2024 đến hết tháng 5/2024",
        peak="từ ngày 15/4/2024 đến ngày 10/5/2024",
        peak_start="2024-04-15",
        peak_end="2024-05-10",
        layout="outline",
        activities=(
            DemoActivity(
                "Tuyên truyền trên báo in, báo điện tử",
                "Mở chuyên mục, đăng tải tin, bài, ảnh về Chiến thắng Điện Biên Phủ.",
                ("Báo Đắk Nông",), ("Sở Thông tin và Truyền thông",),
                "Từ tháng 3/2024 đến hết tháng 5/2024", start="2024-03-01", end="2024-05-31",
            ),
            DemoActivity(
                "Tuyên truyền trên sóng phát thanh, truyền hình",
                "Xây dựng phóng sự, phim tài liệu, chương trình giao lưu với các cựu chiến binh.",
                ("Đài Phát thanh và Truyền hình tỉnh",), ("Sở Văn hóa, Thể thao và Du lịch",),
                "Tháng 4/2024", start="2024-04-01", end="2024-04-30",
            ),
            DemoActivity(
                "Tuyên truyền trực quan, cổ động",
                "Treo băng rôn, khẩu hiệu, pa nô tại các trục đường chính và nơi công cộng.",
                ("Sở Văn hóa, Thể thao và Du lịch",), ("Ủy ban nhân dân các huyện, thành phố Gia Nghĩa",),
                "Từ ngày 15/4/2024 đến ngày 10/5/2024", start="2024-04-15", end="2024-05-10",
            ),
            DemoActivity(
                "Tuyên truyền trên Cổng Thông tin điện tử tỉnh và mạng xã hội",
                "Đăng tải tin, bài, ảnh tư liệu; lan tỏa nội dung tích cực trên mạng xã hội.",
                ("Sở Thông tin và Truyền thông",), ("Các sở, ban, ngành",),
                "Quý II/2024", start="2024-04-01", end="2024-06-30",
            ),
            DemoActivity(
                "Tổ chức cuộc thi tìm hiểu lịch sử Chiến thắng Điện Biên Phủ trong đoàn viên, thanh niên",
                "Tổ chức cuộc thi trực tuyến, trao giải cho các tập thể, cá nhân đạt giải.",
                ("Tỉnh Đoàn",), ("Sở Giáo dục và Đào tạo",),
                "Tháng 4/2024", start="2024-04-01", end="2024-04-30",
            ),
            DemoActivity(
                "Tổng hợp, báo cáo kết quả thực hiện Kế hoạch",
                "Tổng hợp kết quả của các cơ quan, đơn vị, báo cáo Ủy ban nhân dân tỉnh.",
                ("Sở Thông tin và Truyền thông",), (),
                "Trước ngày 20/5/2024", deadline="2024-05-19",
            ),
        ),
    ),
    DemoPlan(
        filename="demo-95-KH-UBND-phong-chong-thien-tai.docx",
        number="95/KH-UBND",
        date=dt.date(2024, 4, 5),
        title="Tuyên truyền phòng, chống thiên tai và tìm kiếm cứu nạn trên địa bàn tỉnh Đắk Nông (dữ liệu mẫu)",
        intro="Ủy ban nhân dân tỉnh ban hành Kế hoạch tuyên truyền phòng, chống thiên tai và tìm kiếm cứu nạn"
        " với các nội dung sau:",
        purposes=(
            "Nâng cao nhận thức, kỹ năng phòng, chống thiên tai của cán bộ và Nhân dân, nhất là ở vùng thường"
            " xuyên xảy ra sạt lở đất, lũ quét.",
        ),
        requirements=(
            "Thông tin kịp thời, chính xác, dễ hiểu, phù hợp với từng đối tượng và địa bàn.",
        ),
        topics=(
            "Các quy định của pháp luật về phòng, chống thiên tai.",
            "Kỹ năng nhận biết, ứng phó với sạt lở đất, lũ quét, dông lốc.",
        ),
        window="từ tháng 4/2024 đến hết tháng 12/2024",
        peak="từ ngày 15/5/2024 đến ngày 22/5/2024 (Tuần lễ quốc gia phòng, chống thiên tai)",
        peak_start="2024-05-15",
        peak_end="2024-05-22",
        layout="table",
        activities=(
            DemoActivity(
                "Xây dựng chuyên mục, phóng sự về phòng, chống thiên tai",
                "Phát sóng trên kênh truyền hình và phát thanh của tỉnh.",
                ("Đài Phát thanh và Truyền hình tỉnh",), ("Sở Nông nghiệp và Phát triển nông thôn",),
                "Từ tháng 5/2024 đến tháng 10/2024", start="2024-05-01", end="2024-10-31",
            ),
            DemoActivity(
                "Đăng tải tin, bài cảnh báo thiên tai, hướng dẫn kỹ năng ứng phó",
                "Trên báo in, báo điện tử và các trang mạng xã hội của Báo.",
                ("Báo Đắk Nông",), ("Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường"),
                "Quý II, III/2024", start="2024-04-01", end="2024-09-30",
            ),
            DemoActivity(
                "Tuyên truyền trên hệ thống thông tin cơ sở",
                "Phát thanh trên loa truyền thanh cơ sở vào các khung giờ cao điểm của mùa mưa.",
                ("Ủy ban nhân dân các huyện, thành phố Gia Nghĩa",), ("Sở Thông tin và Truyền thông",),
                "Tháng 5/2024", start="2024-05-01", end="2024-05-31",
            ),
            DemoActivity(
                "Tổ chức diễn tập phòng, chống thiên tai và tìm kiếm cứu nạn",
                "Diễn tập tại một xã thường xuyên chịu ảnh hưởng của lũ quét.",
                ("Bộ Chỉ huy Quân sự tỉnh",), ("Công an tỉnh", "Sở Y tế"),
                "Tháng 6/2024", start="2024-06-01", end="2024-06-30",
            ),
            DemoActivity(
                "Phổ biến kiến thức phòng, chống thiên tai trong trường học",
                "Lồng ghép vào hoạt động ngoại khóa đầu năm học.",
                ("Sở Giáo dục và Đào tạo",), ("Tỉnh Đoàn",),
                "Từ tháng 9/2024 đến tháng 12/2024", start="2024-09-01", end="2024-12-31",
            ),
            DemoActivity(
                "Tổng hợp, báo cáo kết quả thực hiện Kế hoạch",
                "Báo cáo Ủy ban nhân dân tỉnh.",
                ("Sở Nông nghiệp và Phát triển nông thôn",), ("Các sở, ban, ngành",),
                "Trước ngày 15/12/2024", deadline="2024-12-14",
            ),
        ),
    ),
)


# --- Writing the DOCX -------------------------------------------------------------------

# Zip entries carry a modification time; a fixed one keeps the file identical from run
# to run, which is what makes a second import find the first.
_FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_FONT = "Times New Roman"


def _date_line(plan: DemoPlan) -> str:
    return f"{plan.place}, ngày {plan.date.day} tháng {plan.date.month} năm {plan.date.year}"


def _paragraph(doc, text: str, *, bold: bool = False, center: bool = False, italic: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    run.italic = italic
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _cell(cell, lines: list[str], *, bold: bool = False, center: bool = True) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.add_run(line).bold = bold
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _borderless(table) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    sides = "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table._tbl.tblPr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{sides}</w:tblBorders>"))


def _new_document():
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(13)
    core = doc.core_properties
    fixed = dt.datetime(2024, 1, 1)
    core.author = core.last_modified_by = "planwatch (dữ liệu mẫu)"
    core.created = core.modified = core.last_printed = fixed
    core.revision = 1
    return doc


def _header(doc, plan: DemoPlan) -> None:
    table = doc.add_table(rows=2, cols=2)
    _borderless(table)
    _cell(table.rows[0].cells[0], list(plan.issuer), bold=True)
    _cell(table.rows[0].cells[1], ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"], bold=True)
    _cell(table.rows[1].cells[0], [f"Số: {plan.number}"])
    _cell(table.rows[1].cells[1], [_date_line(plan)])
    _paragraph(doc, "")
    _paragraph(doc, "KẾ HOẠCH", bold=True, center=True)
    _paragraph(doc, plan.title, bold=True, center=True)
    _paragraph(doc, plan.intro)


def _purpose_and_content(doc, plan: DemoPlan) -> None:
    _paragraph(doc, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    _paragraph(doc, "1. Mục đích", bold=True)
    for text in plan.purposes:
        _paragraph(doc, f"- {text}")
    _paragraph(doc, "2. Yêu cầu", bold=True)
    for text in plan.requirements:
        _paragraph(doc, f"- {text}")
    _paragraph(doc, "II. NỘI DUNG, THỜI GIAN TUYÊN TRUYỀN", bold=True)
    _paragraph(doc, "1. Nội dung tuyên truyền", bold=True)
    for text in plan.topics:
        _paragraph(doc, f"- {text}")
    _paragraph(doc, "2. Thời gian tuyên truyền", bold=True)
    _paragraph(doc, f"- Thời gian thực hiện: {plan.window}.")
    _paragraph(doc, f"- Đợt cao điểm tuyên truyền: {plan.peak}.")


def _outline_activities(doc, plan: DemoPlan) -> None:
    _paragraph(doc, "III. TỔ CHỨC THỰC HIỆN", bold=True)
    for i, a in enumerate(plan.activities, start=1):
        _paragraph(doc, f"{i}. {a.title}", bold=True)
        _paragraph(doc, f"- Nội dung: {a.detail}")
        _paragraph(doc, f"- Đơn vị chủ trì: {'; '.join(a.lead)}.")
        if a.support:
            _paragraph(doc, f"- Đơn vị phối hợp: {'; '.join(a.support)}.")
        _paragraph(doc, f"- Thời gian thực hiện: {a.time}.")


def _table_activities(doc, plan: DemoPlan) -> None:
    _paragraph(doc, "III. TỔ CHỨC THỰC HIỆN", bold=True)
    _paragraph(doc, "Nhiệm vụ cụ thể được phân công như sau:")
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian")):
        _cell(cell, [text], bold=True)
    for i, a in enumerate(plan.activities, start=1):
        cells = table.add_row().cells
        _cell(cells[0], [str(i)])
        _cell(cells[1], [a.title], center=False)
        _cell(cells[2], ["; ".join(a.lead)])
        _cell(cells[3], ["; ".join(a.support)])
        _cell(cells[4], [a.time])


def _signature(doc, plan: DemoPlan) -> None:
    _paragraph(doc, "")
    table = doc.add_table(rows=1, cols=2)
    _borderless(table)
    _cell(table.rows[0].cells[0], ["Nơi nhận:", "- Như mục III;", "- Lưu: VT."], center=False)
    _cell(
        table.rows[0].cells[1],
        ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "(dữ liệu mẫu)", "", "Nguyễn Văn Mẫu"],
        bold=True,
    )


def _stable_zip(data: bytes) -> bytes:
    """The same package with fixed entry times, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def demo_plan_docx(plan: DemoPlan) -> bytes:
    """The plan as a DOCX; the same bytes on every call."""
    doc = _new_document()
    _header(doc, plan)
    _purpose_and_content(doc, plan)
    if plan.layout == "outline":
        _outline_activities(doc, plan)
    else:
        _table_activities(doc, plan)
    _signature(doc, plan)
    buf = io.BytesIO()
    doc.save(buf)
    return _stable_zip(buf.getvalue())


def demo_documents_write(directory: Path) -> list[tuple[DemoPlan, Path]]:
    """Write every demo plan under `directory` (created if missing); returns (plan, path)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for plan in DEMO_PLANS:
        path = directory / plan.filename
        data = demo_plan_docx(plan)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append((plan, path))
    return written


# --- Loading into the database ----------------------------------------------------------


def shared_seeds_dir() -> Path:
    """PLANWATCH_SHARED/seeds, by default ../shared/seeds beside the checkout."""
    from django.conf import settings

    return Path(os.environ.get("PLANWATCH_SHARED", settings.BASE_DIR.parent / "shared")) / "seeds"


def _province_named(name: str):
    from directory.models import Province
    from planwatch.lib.text import fold

    key = fold(name)
    for province in Province.objects.all():
        if fold(province.name) == key:
            return province
    raise LookupError(f"the demo directory has no province {name!r}")


def seed_province_name(*texts: str | None) -> str:
    """The first of SEED_PROVINCES named in `texts` (issuer, then place, then title),
    else the demo province."""
    from planwatch.lib.text import fold

    for text in texts:
        folded = f" {fold(text or '')} "
        for name in SEED_PROVINCES:
            if f" {fold(name)} " in folded:
                return name
    return DEMO_PROVINCE


def _demo_unit(province, name: str):
    """The unit of `province` whose full name is `name`."""
    from directory.models import Unit
    from planwatch.lib.text import fold

    units = list(Unit.objects.filter(province=province, search_key=fold(name)))
    if len(units) != 1:
        raise LookupError(f"the demo directory has {len(units)} units named {name!r} in {province}")
    return units[0]


def demo_users_load(*, province) -> list[tuple[DemoUser, bool]]:
    """Create the demo accounts that are missing, in one transaction; returns
    (account, created) pairs. Raises LookupError when a unit of DEMO_USERS is not in the
    demo directory."""
    from django.db import transaction

    from accounts.models import User

    result = []
    with transaction.atomic():
        for spec in DEMO_USERS:
            if User.objects.filter(username=spec.username).exists():
                result.append((spec, False))
                continue
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                role=spec.role,
                province=province,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if spec.units:
                user.units.set([_demo_unit(province, name) for name in spec.units])
            result.append((spec, True))
    return result


@dataclass
class DemoLoadResult:
    directory: dict
    users: list[tuple[DemoUser, bool]]
    plans: list[tuple[str, object, bool]]  # (file name, Plan, created)
    skipped: list[tuple[str, str]]  # (file name, why) for seeds that could not be imported
    seeds_dir: Path | None
    banner_checks: int = 0  # banner checks stored by this run (demo_banners_load)


def _import(path: Path, province) -> tuple[object, bool]:
    """Import `path` for `province` as a demo plan; returns (Plan, created)."""
    from plans.models import Plan
    from plans.services import plan_find_duplicate, plan_import_file

    data = path.read_bytes()
    created = plan_find_duplicate(data=data, province=province) is None
    plan = plan_import_file(data=data, filename=path.name, province=province, user=None)
    Plan.objects.filter(pk=plan.pk, is_demo=False).update(is_demo=True)
    plan.is_demo = True
    return plan, created


def demo_load(*, data_dir: Path, seeds_dir: Path | None) -> DemoLoadResult:
    """Load the demo: directory, accounts, the demo plans (written to `data_dir`/demo)
    and, when `seeds_dir` holds seed .txt plans, those too, each for the province its
    issuer names. Raises what plan_import_file raises for a demo plan; a seed that
    cannot be imported is listed in `skipped`."""
    import docparse
    from directory.services import directory_load_demo
    from plans.services import PlanImportError

    directory = directory_load_demo()
    home = _province_named(DEMO_PROVINCE)
    users = demo_users_load(province=home)

    plans = []
    for _, path in demo_documents_write(data_dir / "demo"):
        plan, created = _import(path, home)
        plans.append((path.name, plan, created))

    skipped = []
    banner_checks = 0
    if plans:
        demo_report_load(plan=plans[0][1])
        try:
            banner_checks = demo_banners_load(plan=plans[0][1])
        except (OSError, RuntimeError) as exc:  # no loopback for the stand-in pages: the rest still loads
            skipped.append(("banner", f"stand-in websites on 127.0.0.1: {exc}"))

    seeds = sorted(seeds_dir.glob("*.txt")) if seeds_dir and seeds_dir.is_dir() else []
    for path in seeds:
        try:
            parsed = docparse.parse(path)
            province = _province_named(seed_province_name(parsed.issuer, parsed.place, parsed.title))
            plan, created = _import(path, province)
        except (docparse.ParseError, PlanImportError, LookupError) as exc:
            skipped.append((path.name, str(exc)))
            continue
        plans.append((path.name, plan, created))
    return DemoLoadResult(directory, users, plans, skipped, seeds_dir if seeds else None, banner_checks)


def demo_report_load(*, plan) -> object | None:
    """An open report request on the first demo plan, addressed to the units that have
    assignments in it, with one answer sent (Báo Đắk Nông) and one draft (Sở VHTTDL).
    Written once: a second run finds it and changes nothing. Returns the request."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from reporting import services
    from reporting.models import ReportRequest

    if ReportRequest.objects.filter(plan=plan).exists():
        return None
    officer = User.objects.filter(username="canbo.daknong").first()
    if officer is None:
        return None
    unit_ids = sorted(set(plan.activities.values_list("assignments__unit_id", flat=True)) - {None})
    metrics = [
        services.MetricSpec(label="Số tin, bài đã đăng tải", kind="count", required=True),
        services.MetricSpec(label="Đã đặt banner tuyên truyền trên trang thông tin điện tử", kind="boolean"),
        services.MetricSpec(label="Đường dẫn các tin, bài tiêu biểu", kind="urls"),
        services.MetricSpec(label="Khó khăn, vướng mắc và đề xuất", kind="text"),
        services.MetricSpec(label="Báo cáo bằng văn bản (bản quét)", kind="file"),
    ]
    with transaction.atomic():
        request = services.request_create(user=officer, plan=plan, data=services.RequestData(
            title=f"Báo cáo kết quả thực hiện {plan.number or 'kế hoạch'} ({DEMO_LABEL})",
            description="Đề nghị các đơn vị báo cáo kết quả trước hạn; đơn vị chưa có tài khoản dùng liên kết riêng.",
            deadline=timezone.now() + dt.timedelta(days=14), written_deadline=timezone.localdate() + dt.timedelta(days=20),
            unit_ids=unit_ids, metrics=metrics))
        request = services.request_set_status(user=officer, request=request, status=ReportRequest.Status.OPEN)
        keys = {m.kind: m.key for m in request.metrics.all()}
        for username, submit, values in (
            ("baodaknong", True, {"count": "24", "boolean": "yes", "urls": "https://baodaknong.vn/demo-tin-1"}),
            ("sovhttdl", False, {"count": "6"}),
        ):
            user = User.objects.filter(username=username).first()
            unit = user.units.filter(pk__in=unit_ids).first() if user else None
            if unit is None:
                continue
            services.submission_save(request=request, unit=unit, user=user, submit=submit, answer=services.Answer(
                values={keys[k]: v for k, v in values.items()}))
    return request


# --- Banner monitoring ------------------------------------------------------------------

# The campaign sections a unit's banner must link to, in the shape of seed 001's
# footnote 1 (a section of the provincial portal, an event page of the newspaper).
DEMO_BANNER_NAME = f"Banner 70 năm Chiến thắng Điện Biên Phủ ({DEMO_LABEL})"
DEMO_BANNER_TARGETS = (
    "https://daknong.gov.vn/70-nam-chien-thang-dien-bien-phu",
    "https://baodaknong.vn/ky-niem-70-nam-chien-thang-dien-bien-phu-event400.html",
)
DEMO_BANNER_TEXT = "Kỷ niệm 70 năm Chiến thắng Điện Biên Phủ (7/5/1954 - 7/5/2024)"
# What the stand-in page of each website shows in each demo round (monitoring.farm
# cases): a unit that places its banner after the first round, one that removes it,
# the units of seed 001's footnote 2 without it, and a few sites that fail. A site not
# listed shows the banner as a linked image throughout.
DEMO_BANNER_ROUNDS = 3
DEMO_BANNER_SITES: dict[str, tuple[str, ...]] = {
    "baodaknong.vn": ("text_link",),
    "svhttdl.daknong.gov.vn": ("plain", "linked_image", "linked_image"),
    "ptth.daknong.gov.vn": ("linked_image", "linked_image", "plain"),
    "gianghia.daknong.gov.vn": ("plain", "plain", "text_link"),
    "stc.daknong.gov.vn": ("server_error", "linked_image", "linked_image"),
    "stttt.daknong.gov.vn": ("image_no_link",),
    "sgddt.daknong.gov.vn": ("iframe",),
    "syt.daknong.gov.vn": ("wrong_charset",),
    "sngv.daknong.gov.vn": ("not_found",),
    "thanhtra.daknong.gov.vn": ("redirect_loop",),
    "skhdt.daknong.gov.vn": ("lookalike",),
    "snnptnt.daknong.gov.vn": ("plain",),
    "sxd.daknong.gov.vn": ("plain",),
    "dakmil.daknong.gov.vn": ("plain",),
    "dakrlap.daknong.gov.vn": ("plain",),
    "dakglong.daknong.gov.vn": ("plain",),
    "cujut.daknong.gov.vn": ("plain",),
}


async def _no_name_lookup(host: str) -> list[str]:
    """The resolver of the demo rounds: the stand-in pages are on 127.0.0.1 (an address,
    never looked up), and the links they carry to other hosts (the campaign section,
    the government portal in their sidebars) are not followed onto the network."""
    raise OSError(f"{host}: no name lookup while loading the demo")


def demo_banners_load(*, plan) -> int:
    """A banner spec on `plan` and real checks of its units' websites. No network: each
    website is checked at a stand-in page served by monitoring.farm on 127.0.0.1 for
    the duration of this call (a per-site page override, removed afterwards), with
    loopback allowed for these rounds only (the fetch policy passed to banners_check;
    the settings are not touched) and no host name looked up. The evidence says so:
    its final URLs are the stand-in pages. The spec is left paused, so the scheduler
    never fetches the real websites for this invented campaign; "check now" still can.

    Written once, in one transaction: when the spec already has checks nothing
    changes. Returns the number of checks stored. Raises OSError or RuntimeError when
    the stand-in pages cannot be served (demo_load reports it and goes on)."""
    import dataclasses
    import time
    from urllib.parse import urlsplit

    from django.db import transaction

    from accounts.models import User
    from directory.models import Website
    from monitoring import services
    from monitoring.farm import Farm, banner_png
    from monitoring.models import BannerSpec, Check, SiteSpec
    from planwatch.lib.http import parse_networks

    spec = BannerSpec.objects.filter(plan=plan, name=DEMO_BANNER_NAME).first()
    if spec is not None and Check.objects.filter(spec=spec).exists():
        return 0
    officer = User.objects.filter(username="canbo.daknong").first()
    if officer is None:
        return 0
    policy = dataclasses.replace(services.fetch_policy(), timeout=5.0, connect_timeout=2.0, retries=1, backoff=0.1,
                                 allowed_networks=parse_networks(["127.0.0.0/8"]))
    with Farm(target=DEMO_BANNER_TARGETS[0], banner_text=DEMO_BANNER_TEXT) as farm, transaction.atomic():
        if spec is None:
            spec = services.spec_save(
                actor=officer, province=plan.province, plan=plan, name=DEMO_BANNER_NAME,
                targets=list(DEMO_BANNER_TARGETS), keywords=["Điện Biên Phủ", "70 năm Chiến thắng"],
                interval_minutes=24 * 60, peak_interval_minutes=6 * 60, obey_robots=True, render_js=False,
                active=False)
        if not spec.images.exists():
            services.reference_image_add(actor=officer, spec=spec, data=banner_png(), name="banner-dien-bien-phu.png")
        websites = (Website.objects.filter(unit__in=services.spec_units(spec))
                    .exclude(kind=Website.Kind.SOCIAL).order_by("pk"))
        hosts = {w.pk: (urlsplit(w.url).hostname or str(w.pk)) for w in websites}
        for w in websites:
            SiteSpec.objects.update_or_create(spec=spec, website=w,
                                              defaults={"page_url": farm.site_url(hosts[w.pk]), "enabled": True})
        checks = 0
        for n in range(DEMO_BANNER_ROUNDS):
            for host in hosts.values():
                cases = DEMO_BANNER_SITES.get(host, ("linked_image",))
                farm.sites[host] = cases[min(n, len(cases) - 1)]
            result = services.banners_check(spec=spec, policy=policy, resolve=_no_name_lookup,
                                            label=f"{DEMO_LABEL}: trang thay thế trên 127.0.0.1, lượt {n + 1}")
            checks += result.checked
            if n + 1 < DEMO_BANNER_ROUNDS:
                time.sleep(1)  # so that the history shows the rounds one after the other
        SiteSpec.objects.filter(spec=spec, website__in=websites).delete()
    return checks
