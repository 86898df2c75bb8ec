"""Abbreviations that plans use for unit names, and their expansions.

Plans write "Sở TT&TT", "UBND tỉnh", "Đài PT-TH Đắk Nông"; the directory holds the full
names. `expand` rewrites a folded text (planwatch.lib.text.fold) with every abbreviation
spelled out, so both sides of a comparison can be expanded and compared as keys.

The table maps an expansion to the ways it is abbreviated. Forms are matched on their
folded spelling as whole words: "VTV" does not match inside "VTV8", "TT&TT" does not
match inside "VH,TT&DL". Longer forms win over shorter ones.
"""
from __future__ import annotations

import re

from planwatch.lib.text import fold

ABBREVIATIONS: dict[str, list[str]] = {
    # State bodies
    "Ủy ban nhân dân": ["UBND"],
    "Hội đồng nhân dân": ["HĐND"],
    "Đại biểu Quốc hội": ["ĐBQH"],
    "Văn phòng": ["VP"],
    "Trung ương": ["TW"],
    "Thành phố": ["TP"],
    "Ban Quản lý": ["BQL"],
    "Khu công nghiệp": ["KCN"],
    "Thông tin điện tử": ["TTĐT"],
    # Departments (sở) and their fields
    "Sở Thông tin và Truyền thông": ["Sở TT&TT", "Sở TTTT", "STTTT", "Sở TT-TT", "Sở TT và TT"],
    "Thông tin và Truyền thông": ["TT&TT", "TTTT"],
    "Văn hóa, Thể thao và Du lịch": ["VHTTDL", "VH,TT&DL", "VHTT&DL", "VH-TT&DL", "VH TT&DL", "VH,TT và DL"],
    # District culture and media centres ("Trung tâm VH TT & TT cấp huyện")
    "Văn hóa, Thể thao và Truyền thông": ["VH-TT&TT", "VH TT&TT", "VHTT&TT", "VH TT-TT"],
    # District culture offices ("Phòng VH TT các huyện", "Phòng VH-TT")
    "Văn hóa và Thông tin": ["VH-TT", "VH TT", "VHTT"],
    "Khoa học và Công nghệ": ["KH&CN", "KHCN"],
    "Kế hoạch và Đầu tư": ["KH&ĐT", "KHĐT"],
    "Lao động - Thương binh và Xã hội": ["LĐTB&XH", "LĐ-TB&XH", "LĐTBXH"],
    "Nông nghiệp và Phát triển nông thôn": ["NN&PTNT", "NNPTNT"],
    "Nông nghiệp và Môi trường": ["NN&MT"],
    "Tài nguyên và Môi trường": ["TN&MT", "TNMT"],
    "Giáo dục và Đào tạo": ["GD&ĐT", "GDĐT"],
    "Giao thông vận tải": ["GTVT"],
    "Dân tộc và Tôn giáo": ["DT&TG"],
    # Radio and television
    "Đài Phát thanh và Truyền hình": ["Đài PT&TH", "Đài PT-TH", "Đài PTTH", "Đài PT và TH", "Đài PT - TH"],
    "Phát thanh và Truyền hình": ["PT&TH", "PT-TH", "PTTH"],
    # Party bodies
    "Ban Tuyên giáo Tỉnh ủy": ["BTG Tỉnh ủy", "BTGTU", "BTG TU"],
    "Ban Tuyên giáo và Dân vận": ["BTG&DV", "BTGDV"],
    "Ban Tuyên giáo": ["BTG"],
    "Ban Dân vận": ["BDV"],
    # Front and mass organisations
    "Ủy ban Mặt trận Tổ quốc Việt Nam": ["UBMTTQVN", "UBMTTQ Việt Nam", "Ủy ban MTTQ Việt Nam", "Ủy ban MTTQVN"],
    "Ủy ban Mặt trận Tổ quốc": ["UBMTTQ", "Ủy ban MTTQ"],
    "Mặt trận Tổ quốc Việt Nam": ["MTTQVN", "MTTQ Việt Nam"],
    "Mặt trận Tổ quốc": ["MTTQ"],
    "Liên đoàn Lao động": ["LĐLĐ"],
    "Hội Liên hiệp Phụ nữ": ["HLHPN", "Hội LHPN"],
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh": ["Đoàn TNCS HCM", "Đoàn TNCS Hồ Chí Minh", "ĐTNCS HCM"],
    "Hội Cựu chiến binh": ["Hội CCB"],
    "Hội Văn học Nghệ thuật": ["Hội VHNT"],
    # Armed forces
    "Bộ Chỉ huy Quân sự": ["BCHQS", "Bộ CHQS"],
    "Bộ Chỉ huy Bộ đội Biên phòng": ["BCH BĐBP", "BCHBĐBP"],
    "Bộ đội Biên phòng": ["BĐBP"],
    "Công an tỉnh": ["CA tỉnh"],
    # Central press
    "Thông tấn xã Việt Nam": ["TTXVN"],
    "Đài Tiếng nói Việt Nam": ["VOV"],
    "Đài Truyền hình Việt Nam": ["VTV"],
    "Đài Truyền hình Kỹ thuật số VTC": ["VTC"],
}


def _pattern_form(form: str) -> str:
    """The folded form as a regex that tolerates spaces around "&" and "-"."""
    parts = re.split(r"(&| )", _squeeze(fold(form)))
    seps = {"&": r"\s*&\s*", " ": r"\s+"}
    return "".join(seps.get(p) or re.escape(p) for p in parts)


def _squeeze(folded: str) -> str:
    # "TT & TT" and "TT&TT" are one spelling
    return re.sub(r"\s*&\s*", "&", folded)


_EXPANSIONS: dict[str, str] = {}
for _expansion, _forms in ABBREVIATIONS.items():
    for _form in _forms:
        _EXPANSIONS[_squeeze(fold(_form))] = fold(_expansion)

_PATTERN = re.compile(
    r"(?<![\w&])(" + "|".join(_pattern_form(f) for f in sorted(_EXPANSIONS, key=len, reverse=True)) + r")(?![\w&])"
)


def expand(folded: str) -> str:
    """`folded` (a `fold()` key) with every abbreviation replaced by its folded expansion.

    "so tt&tt" -> "so thong tin va truyen thong"; text without abbreviations comes back
    unchanged (apart from spaces around "&")."""
    s = _squeeze(folded)
    return _PATTERN.sub(lambda m: _EXPANSIONS[_squeeze(re.sub(r"\s+", " ", m.group(1)))], s)
