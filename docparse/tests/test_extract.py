"""Plan extraction: header fields and activity rules, each on a seed or corpus snippet,
and the whole seeds scored against their gold with the project scorer."""
import pytest

from docparse import parse

from .conftest import CORPUS, GOLD, seed, seed_paths, score_plans


def _plan(text: str):
    return parse(text.encode("utf-8"), name="snippet.txt")


def test_seeds_score_on_gold(tmp_path, shared_dir):
    plans = {p.stem: parse(p) for p in seed_paths()}
    result = score_plans(plans, tmp_path)
    assert result["overall_f1"] >= 0.97, result
    assert result["activities"]["f1"] >= 0.97, result


def test_header_with_parent_body():
    # seed 001: the issuer is the lower body, with the parent's locality
    p = parse(seed("001"))
    assert p.issuer == "Sở Thông tin và Truyền thông tỉnh Đắk Nông"
    assert p.parent_issuer == "Ủy ban nhân dân tỉnh Đắk Nông"
    assert p.number is None and p.date is None  # "Số: /STTTT-TTBCXB", "ngày tháng 12 năm 2023"
    assert p.kind == "Công văn"
    assert p.title.startswith("tổ chức đợt cao điểm tuyên truyền")
    assert p.place == "Đắk Nông"
    assert p.signer.authority == "KT." and p.signer.position == "PHÓ GIÁM ĐỐC" and p.signer.name == "Hoàng Mạnh Thắng"
    assert "UBND các xã, phường, thị trấn" in p.addressees
    assert "Ban Giám đốc" in p.recipients


def test_header_without_heading_block():
    # seed 000: no issuer table; the body says who issues the plan
    p = parse(seed("000"))
    assert (p.number, p.date, p.kind) == ("529/KH-UBND", "2023-08-16", "Kế hoạch")
    assert p.issuer.startswith("Ủy ban nhân dân tỉnh Đắk Nông")
    assert p.signer.authority == "TM." and p.signer.name == "Hồ Văn Mười"
    assert p.window.end == "2024-03-31" and p.window.start == "2023-08-16"  # "từ nay đến hết tháng 3/2024"
    assert any(pk.start == "2023-12-01" and pk.end == "2024-03-31" for pk in p.peaks)
    refs = {r.number: r for r in p.references}
    assert refs["52-HD/BTG"].date == "2023-07-26" and refs["52-HD/BTG"].kind == "Hướng dẫn"
    assert refs["396/KH-UBND"].issuer.startswith("Ủy ban nhân dân tỉnh")


def test_header_table_of_a_promulgating_decision():
    # corpus 001c610b: a QĐ promulgating a plan, header as a cell table, wrapped lines
    p = parse(next(CORPUS.glob("001c610b*.md")))
    assert p.kind == "Quyết định ban hành kế hoạch"
    assert p.number == "2820/QĐ-UBND" and p.date == "2025-11-19"
    assert p.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"
    assert p.place == "Thành phố Hồ Chí Minh"
    assert p.title.startswith("BAN HÀNH KẾ HOẠCH TRIỂN KHAI")
    refs = [a.ref for a in p.activities]
    assert "PL.I.1" in refs and "IV.1" in refs
    assert not any(r.startswith("Điều") for r in refs)  # Điều 1/2/3 are not activities


def _acts(text):
    return {a.ref: a for a in _plan(text).activities}


# A plan's header and its "III. TỔ CHỨC THỰC HIỆN", for snippets of that section.
_SECTION_III = "Số: 1/KH-UBND\n\nĐắk Nông, ngày 1 tháng 3 năm 2025\n\nIII. TỔ CHỨC THỰC HIỆN\n\n"


def test_labelled_field_beats_inline():
    acts = _acts("III. HOẠT ĐỘNG\n\n1. Hoạt động\n\n2.10. Tuyên truyền trên Trang thông tin điện tử\n\n"
                 "+ UBND cấp huyện, thành phố chỉ đạo hệ thống Truyền thanh cấp huyện thực hiện chuyên mục.\n\n"
                 "- Cơ quan thực hiện: Các Sở, Ban, ngành, đoàn thể, Ủy ban nhân dân cấp huyện.\n")
    assert acts["III.2.10"].lead == ["Các Sở, Ban, ngành, đoàn thể", "Ủy ban nhân dân cấp huyện"]
    assert set(acts["III.2.10"].groups) == set(acts["III.2.10"].lead)


def test_unit_headed_items_and_members():
    acts = _acts("V. TỔ CHỨC THỰC HIỆN\n\n1. Sở Tài chính\n\nThẩm định, tham mưu phân bổ kinh phí.\n\n"
                 "2. Các cơ quan báo chí địa phương (Báo Đắk Nông, Đài Phát thanh và Truyền hình Đắk Nông)\n\n"
                 "- Xây dựng Kế hoạch truyền thông chi tiết.\n\n"
                 "3. Sở Văn hóa, Thể thao và Du lịch\n\n- Phối hợp với Sở Tư pháp theo dõi.\n\n"
                 "- Chủ trì, phối hợp với Sở Thông tin và Truyền thông tổng hợp dự toán kinh phí.\n")
    assert acts["V.1"].lead == ["Sở Tài chính"] and acts["V.1"].title == "Sở Tài chính"
    assert acts["V.2"].lead == ["Báo Đắk Nông", "Đài Phát thanh và Truyền hình Đắk Nông"]
    # a plain "phối hợp với" is the heading unit's role; "chủ trì, phối hợp với Y" names support
    assert acts["V.3"].support == ["Sở Thông tin và Truyền thông"]


def test_lowest_level_and_inheritance():
    # "3. Bộ X … thực hiện một số nhiệm vụ sau: 3.1 … 3.2": each child inherits the unit
    acts = _acts("II. NHIỆM VỤ\n\n3. Sở Y tế\n\na) Tổ chức hướng dẫn thực hiện phác đồ điều trị.\n\n"
                 "b) Chỉ đạo các cơ sở y tế trực thuộc.\n")
    assert set(acts) == {"II.3.a", "II.3.b"}
    assert acts["II.3.a"].lead == ["Sở Y tế"] and acts["II.3.a"].notes


def test_children_that_are_fields_make_the_parent_the_activity():
    acts = _acts("III. NHIỆM VỤ\n\n1. Tổ chức hội nghị\n\n1.1. Cơ quan chủ trì: Sở Nội vụ\n\n"
                 "1.2. Thời gian thực hiện: Quý III/2025\n")
    assert list(acts) == ["III.1"]
    assert acts["III.1"].lead == ["Sở Nội vụ"]
    assert (acts["III.1"].start, acts["III.1"].end) == ("2025-07-01", "2025-09-30")


def test_inline_patterns():
    text = ("Số: 1/KH-UBND\n\nĐắk Lắk, ngày 1 tháng 3 năm 2020\n\nIII. TỔ CHỨC\n\n"
            "1. Xây dựng chuyên mục. Giao Sở Tư pháp chủ trì thực hiện.\n\n"
            "2. Đề nghị Ban Tuyên giáo Tỉnh ủy định hướng nội dung.\n\n"
            "3. Thực hiện báo cáo:\n\n- Riêng đối với Sở Nội vụ, UBND các huyện: lập báo cáo trước ngày 10/4/2020.\n\n"
            "4. Trước ngày 15/12/2020, Sở Thông tin và Truyền thông chủ trì phối hợp với các đơn vị đầu mối tổ chức đánh giá.\n")
    acts = _acts(text)
    assert acts["III.1"].lead == ["Sở Tư pháp"]
    assert acts["III.2"].lead == ["Ban Tuyên giáo Tỉnh ủy"]
    assert acts["III.3"].lead == ["Sở Nội vụ", "UBND các huyện"] and acts["III.3"].deadline == "2020-04-09"
    assert acts["III.4"].lead == ["Sở Thông tin và Truyền thông"]
    assert acts["III.4"].support == ["các đơn vị đầu mối"] and acts["III.4"].deadline == "2020-12-14"


def test_inline_subject_with_a_free_head():
    # corpus 62f25a030c183151: "UBND", "UBMTTQ", "Quận ủy" … start a unit name with no
    # other head word nearby, and the cheap gate before the inline search did not know them
    text = (_SECTION_III
            + "1. UBND xã, phường thực hiện trực ban phòng chống thiên tai 24/24, duy trì thông tin liên lạc thông suốt.\n\n"
            "2. UBND tỉnh chủ trì tổng kết.\n\n"
            "3. Tổng kết, đánh giá cách làm hay.\n")
    acts = _acts(text)
    assert list(acts) == ["III.1", "III.2"]
    assert acts["III.1"].lead == ["UBND xã, phường"]
    assert acts["III.2"].lead == ["UBND tỉnh"]


def test_units_named_by_a_head_and_a_lower_case_word():
    # corpus 1a395072 (1.), f069c23c (2.10.), ad5aff6c (a table cell "Tỉnh đoàn"): units
    # whose name is a head and a lower-case word, or a head alone
    text = (_SECTION_III
            + "1. Thanh tra tỉnh\n\nChủ trì, phối hợp với các cơ quan, đơn vị có liên quan trong việc thanh tra đối "
            "với tổ chức, cá nhân.\n\n"
            "2. Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh\n\n- Thực hiện tốt chức năng thực hành "
            "quyền công tố, xét xử.\n\n"
            "3. Tỉnh đoàn\n\nChỉ đạo hệ thống tổ chức Đoàn các cấp cử đầu mối cấp xã tham gia mạng lưới hỗ trợ.\n")
    acts = _acts(text)
    assert acts["III.1"].lead == ["Thanh tra tỉnh"]
    assert acts["III.2"].lead == ["Viện kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh"]
    assert acts["III.3"].lead == ["Tỉnh đoàn"]


def test_unit_heading_with_a_predicate_before_its_colon():
    # corpus dcde3ff6 Điều 17.1: the subject before "có trách nhiệm:" is the unit
    text = ("Số: 1/2025/NQ-CP\n\nHà Nội, ngày 1 tháng 9 năm 2025\n\nĐiều 17. Tổ chức thực hiện\n\n"
            "1. Bộ Tài chính có trách nhiệm:\n\n"
            "a) Chủ trì trình Chính phủ ban hành Nghị định quy định xử phạt vi phạm hành chính trong lĩnh vực "
            "tài sản mã hoá;\n\n"
            "b) Phối hợp với các Bộ, ngành liên quan triển khai các biện pháp phòng, chống tài trợ khủng bố;\n")
    acts = _acts(text)
    assert acts["Điều 17.1.a"].lead == ["Bộ Tài chính"]
    assert acts["Điều 17.1.b"].lead == ["Bộ Tài chính"]


def test_not_activities():
    acts = _acts("I. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích\n\n- Sở Tư pháp chủ trì tuyên truyền.\n\n"
                 "IV. KINH PHÍ\n\n1. Kinh phí thực hiện do các đơn vị tự bố trí.\n\n"
                 "2. Các đơn vị, địa phương chủ động sử dụng nguồn kinh phí được giao.\n\n"
                 "3. Sở Tài chính thẩm định, phân bổ kinh phí.\n\n"
                 "Trong quá trình thực hiện nếu có khó khăn, các đơn vị báo cáo về Sở Tư pháp.\n")
    assert list(acts) == ["IV.3"]


def test_repeated_number_gets_suffix():
    acts = _acts("3. Các cơ quan, đơn vị, địa phương:\n\n- Chỉ đạo.\n\n3. Đề nghị UBND các huyện căn cứ tình hình.\n")
    assert list(acts) == ["3", "3[2]"]


def test_cross_reference_adds_lead_with_note():
    text = ("III. HOẠT ĐỘNG\n\n1. Định hướng\n\n1.1. Xây dựng đề cương tuyên truyền\n\n"
            "- Đơn vị thực hiện: Sở Thông tin và Truyền thông.\n\n"
            "V. TỔ CHỨC THỰC HIỆN\n\n1. Đề nghị Ban Tuyên giáo Tỉnh ủy\n\n"
            "- Chủ trì triển khai nhiệm vụ tại khoản 1.1 mục III Kế hoạch này.\n")
    acts = _acts(text)
    assert acts["III.1.1"].lead == ["Sở Thông tin và Truyền thông", "Ban Tuyên giáo Tỉnh ủy"]
    assert any("V.1" in n for n in acts["III.1.1"].notes)


def test_activity_fields():
    acts = {a.ref: a for a in parse(seed("000")).activities}
    a = acts["III.1.3"]
    assert a.form.startswith("Tổ chức họp báo") and a.location.startswith("dự kiến thành phố Gia Nghĩa")
    assert a.audience.startswith("Ban Tổ chức Lễ Kỷ niệm")
    assert acts["III.2.4"].duration == "15 phút."
    assert acts["III.2.8"].funding == "Xã hội hóa."
    assert a.span[0] < a.span[1]
    acts4 = {a.ref: a for a in parse(seed("004")).activities}
    r = acts4["III.5.b"].recurrence
    assert (r.frequency, r.quota) == ("monthly", 1)


def test_activity_table():
    text = ("PHỤ LỤC\n\n| STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian thực hiện |\n"
            "|---|---|---|---|---|\n| I | Tuyên truyền | | | |\n"
            "| 1 | Xây dựng chuyên mục | Báo Đắk Nông | Sở Thông tin và Truyền thông | Tháng 12/2023 |\n"
            "| II | Họp báo | | | |\n| 1 | Tổ chức họp báo | Sở Tư pháp | | Trước ngày 15/12/2023 |\n")
    acts = _acts(text)
    assert set(acts) == {"PL.I.1", "PL.II.1"}
    assert acts["PL.I.1"].support == ["Sở Thông tin và Truyền thông"]
    assert (acts["PL.I.1"].start, acts["PL.I.1"].end) == ("2023-12-01", "2023-12-31")
    assert acts["PL.II.1"].deadline == "2023-12-14"


def test_json_round_trip():
    import json

    d = json.loads(parse(seed("002")).to_json())
    assert d["number"] == "46/KH-STTTT" and d["activities"][0]["ref"] == "III.1"
    assert d["source"]["format"] == "text" and d["text"]


def test_partners_of_phoi_hop_are_not_leads():
    # corpus 50693ea4 Điều 5: the units after "phối hợp với" are partners
    acts = _acts("Điều 5. Trách nhiệm của Sở Nông nghiệp và Môi trường\n\n"
                 "1. Chủ trì, phối hợp với các Sở, ban, ngành, Ủy ban nhân dân cấp xã và các cơ quan, đơn vị có "
                 "liên quan thực hiện kiểm tra.\n")
    assert "Điều 5.1" not in acts or "Ủy ban nhân dân cấp xã" not in acts["Điều 5.1"].lead


def test_wrapped_signer():
    p = _plan("Số: 1/KH-UBND\n\nHà Nội, ngày 1 tháng 3 năm 2020\n\n1. Sở Tư pháp chủ trì tuyên truyền.\n\n"
              "TM. ỦY BAN NHÂN\nDÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn A\n")
    assert p.signer.authority == "TM." and p.signer.on_behalf_of == "ỦY BAN NHÂN DÂN"
    assert p.signer.position == "PHÓ CHỦ TỊCH" and p.signer.name == "Nguyễn Văn A"
    # corpus 514184bd "THỨ" / "TRƯỞNG" and 05729ab5 "KT. BỘ TRƯỞNG," / "CHỦ NHIỆM", wrapped
    p = _plan("Số: 1/KH-UBND\n\nHà Nội, ngày 1 tháng 3 năm 2020\n\n1. Sở Tư pháp chủ trì tuyên truyền.\n\n"
              "KT. BỘ TRƯỞNG\nTHỨ\nTRƯỞNG\nNguyễn Thị Bích Ngọc\n")
    assert (p.signer.authority, p.signer.position) == ("KT.", "THỨ TRƯỞNG")
    p = _plan("Số: 1/KH-UBND\n\nHà Nội, ngày 1 tháng 3 năm 2020\n\n1. Sở Tư pháp chủ trì tuyên truyền.\n\n"
              "KT. BỘ TRƯỞNG,\nCHỦ NHIỆM\nPHÓ CHỦ NHIỆM\nPhạm Mạnh Cường\n")
    assert (p.signer.position, p.signer.name) == ("PHÓ CHỦ NHIỆM", "Phạm Mạnh Cường")


def test_ministry_issuer_from_code_and_word_label_title():
    p = _plan("Số: 12/KH-BTTTT\n\nHà Nội, ngày 5 tháng 3 năm 2025\n\nKẾ HOẠCH\n\nTruyền thông chuyển đổi số\n\n"
              "VI. TỔ CHỨC\n\n1. Hoạt động 1: Tổ chức Ngày Chuyển đổi số\n\n"
              "- Đơn vị chủ trì: Cục Chuyển đổi số quốc gia.\n")
    assert p.issuer == "Bộ Thông tin và Truyền thông"
    assert [(a.ref, a.title) for a in p.activities] == [("VI.1", "Tổ chức Ngày Chuyển đổi số")]


def test_horizon_and_yearly_occasions_are_not_periods():
    # corpus bffd9da6: "… ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2050" and a yearly "cao điểm"
    p = _plan("Số: 556/KH-UBND\n\nĐồng Tháp, ngày 19 tháng 11 năm 2025\n\nKẾ HOẠCH\n\n"
              "THỰC HIỆN CHIẾN LƯỢC ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2050\n\n"
              "I. NHIỆM VỤ\n\n- Tuyên truyền thông qua các chiến dịch tuyên truyền cao điểm hàng năm bao gồm: "
              "Ngày Môi trường thế giới (05/6).\n")
    assert p.window is None and p.peaks == []


def test_lead_field_that_is_a_sentence():
    # corpus 6a406c1f II.2: the field states who does what; each clause's subject leads
    from docparse.activities import lead_value

    value = ("Sở Khoa học và Công nghệ tiến hành rà soát các văn bản quy phạm pháp luật có liên quan đến Luật "
             "thuộc thẩm quyền quản lý nhà nước của mình; các sở, ngành liên quan và Ủy ban nhân dân các xã, phường "
             "rà soát văn bản quy phạm pháp luật do cơ quan mình tham mưu ban hành có liên quan đến Luật.")
    assert lead_value(value)[0] == ["Sở Khoa học và Công nghệ", "các sở, ngành liên quan", "Ủy ban nhân dân các xã, phường"]
    # seed 004 III.3: a list of names keeps its words ("vận hành, quản lý" are not predicates here)
    assert lead_value("Sở Thông tin và Truyền thông; các đơn vị vận hành, quản lý hệ thống thông tin cơ sở")[0] == [
        "Sở Thông tin và Truyền thông", "các đơn vị vận hành, quản lý hệ thống thông tin cơ sở"]


def test_numbered_conditional_boilerplate_is_not_an_activity():
    # corpus c5d930a5 IV.5 (seeds/README.md: conditional boilerplate is not an activity)
    text = ("Số: 980/KH-UBND\n\nNghệ An, ngày 18 tháng 11 năm 2025\n\nIV. TỔ CHỨC THỰC HIỆN\n\n"
            "1. Sở Tài chính chủ trì tham mưu bố trí kinh phí thực hiện Kế hoạch.\n\n"
            "2. Trong quá trình triển khai thực hiện Kế hoạch, nếu có khó khăn, vướng mắc, các sở, ban, ngành, "
            "tổ chức chính trị - xã hội, Ủy ban nhân dân các xã, phường kịp thời phản ánh về Ban Chỉ huy Phòng thủ "
            "dân sự tỉnh để tổng hợp, báo cáo theo quy định. Yêu cầu các sở, ban, ngành, Ủy ban nhân dân các xã, "
            "phường và các đơn vị có liên quan thực hiện nghiêm túc./.\n")
    assert list(_acts(text)) == ["IV.1"]


@pytest.mark.parametrize("header, want", [
    # corpus c5d930a5: "thực hiện" in the content column's name does not make it the lead
    (["TT", "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
     {"stt": 0, "content": 1, "lead": 2, "support": 3, "time": 4}),
    (["STT", "Thời gian thực hiện", "Hoạt động", "Đơn vị thực hiện"], {"stt": 0, "time": 1, "content": 2, "lead": 3}),
    (["STT", "Nhiệm vụ", "Cơ quan chủ trì thực hiện", "Kết quả thực hiện"],
     {"stt": 0, "content": 1, "lead": 2, "product": 3}),
])
def test_column_named_by_the_word_it_starts_with(header, want):
    from docparse import tables

    assert tables._map_columns(header) == want


def test_appendix_table_run_on_from_the_signature_block():
    # corpus c5d930a5: the recipients, the signature and the appendix's title and header
    # are cells of one row (no row break between them), the activity rows are not
    text = "\n".join([
        "|", "Nơi nhận:", "- Chủ tịch UBND tỉnh;", "- Lưu: VT, NC.", "|", "**TM. ỦY BAN NHÂN", "DÂN **",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Đệ", "|", "** **", "**PHỤ LỤC**",
        "DANH MỤC NHIỆM VỤ TRIỂN KHAI THI HÀNH NGHỊ ĐỊNH QUY ĐỊNH",
        "CHI TIẾT MỘT SỐ ĐIỀU CỦA LUẬT PHÒNG THỦ DÂN SỰ", "*(Kèm theo Kế hoạch",
        "số 980/KH-UBND ngày 18 tháng 11 năm 2025 của UBND tỉnh Nghệ An)*", "|", "**TT**", "|",
        "**Nội dung thực", "hiện**", "|", "**Cơ quan chủ trì**", "|", "**Cơ quan phối hợp**", "|",
        "**Thời gian hoàn", "thành**", "|", "**Sản phẩm dự kiến**", "|", "|", "**I**", "|",
        "**KIỆN TOÀN VÀ HOÀN THIỆN CƠ CHẾ CHỈ ĐẠO**", "|", "|", "|", "|", "|", "|", "|", "1", "|",
        "Tổ chức lại Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã", "|", "Bộ CHQS tỉnh; UBND", "cấp xã", "|",
        "Văn phòng Ban Chỉ", "huy; các cơ quan", "|", "Trước ngày", "30/11/2025", "|",
        "Quyết định của Chủ", "tịch UBND tỉnh", "|", "|", "2", "|", "Diễn tập phòng thủ dân sự các cấp", "|",
        "Ban Chỉ huy Phòng thủ dân sự cấp tỉnh", "|", "Cơ quan, địa phương", "|", "2025", "|", "Cuộc diễn tập",
        "|", "",
    ])
    acts = _acts(text)
    assert set(acts) == {"PL.1", "PL.2"}  # one group: the numbers do not restart
    assert acts["PL.1"].lead == ["Bộ CHQS tỉnh", "UBND cấp xã"]
    assert acts["PL.1"].deadline == "2025-11-29"
    assert acts["PL.1"].notes == ["Sản phẩm: Quyết định của Chủ tịch UBND tỉnh"]
    assert acts["PL.2"].lead == ["Ban Chỉ huy Phòng thủ dân sự cấp tỉnh"]


def test_targets_table_assigns_its_rows_and_lead_cells_end_at_a_predicate():
    # corpus ad5aff6c: "TT | Chỉ tiêu | Chủ trì", and lead cells that go on with what the
    # unit does
    text = ("PHỤ LỤC\n\n| TT | Chỉ tiêu | Chủ trì |\n|---|---|---|\n| I | Kinh tế số | |\n"
            "| 1 | Kinh tế số chiếm 45% GRDP tỉnh. | Sở Tài chính |\n"
            "| 2 | Phấn đấu mỗi năm phát triển từ 05 bộ dữ liệu mở | Sở KH&CN chủ trì hướng dẫn, tổng hợp; "
            "Các sở, ngành; UBND cấp xã |\n"
            "| 3 | Tỷ lệ doanh nghiệp ứng dụng công nghệ số đạt 60% | Sở Khoa học và Công nghệ thúc đẩy, "
            "theo dõi, báo cáo chỉ tiêu |\n")
    acts = _acts(text)
    assert acts["PL.1"].lead == ["Sở Tài chính"]
    assert acts["PL.2"].lead == ["Sở KH&CN", "Các sở, ngành", "UBND cấp xã"]
    assert acts["PL.3"].lead == ["Sở Khoa học và Công nghệ"]


@pytest.mark.parametrize("cell", [
    "Ban quản lý dự án đầu tư xây dựng tỉnh", "Đoàn kiểm tra liên ngành", "Ban chỉ đạo tỉnh",
    "Các cơ quan, đơn vị có liên quan", "Sở Văn hóa, Thể thao và Du lịch (Phòng Quản lý báo chí)",
])
def test_lead_cells_that_are_only_names_stay_whole(cell):
    from docparse.activities import lead_value

    assert lead_value(cell) == ([cell], [])


def test_subject_after_the_basis_clause():
    # corpus bffd9da6 VI.1: "Căn cứ Kế hoạch này, <units> <predicate>"
    acts = _acts(_SECTION_III + "1. Căn cứ Kế hoạch này, các sở, ban, ngành cấp tỉnh, Ủy ban nhân dân các xã, phường "
                 "nghiên cứu triển khai thực hiện, đảm bảo phù hợp với chức năng, nhiệm vụ.\n")
    assert acts["III.1"].lead == ["các sở, ban, ngành cấp tỉnh", "Ủy ban nhân dân các xã, phường"]
    # seed 004 V.3: with no unit right after the basis, later units are partners, not the subject
    acts = _acts(_SECTION_III + "3. Các cơ quan hợp tác truyền thông\n\n- Căn cứ nội dung Kế hoạch này, chủ động đề "
                 "xuất các nội dung tuyên truyền và phối hợp với Sở Thông tin và Truyền thông, các đơn vị, địa phương "
                 "triển khai thực hiện công tác tuyên truyền.\n")
    assert acts["III.3"].lead == ["Các cơ quan"]  # the heading, cut before "hợp tác" as before


def test_phan_cong_is_a_predicate():
    # corpus 4369e325 (item 3) and 3928ef06 (Điều 19.1)
    from docparse.units import subject_units

    assert subject_units("Hội đồng nhân dân, Thường trực Hội đồng nhân dân phân công phạm vi, lĩnh vực phụ trách") == [
        "Hội đồng nhân dân", "Thường trực Hội đồng nhân dân"]
    assert subject_units("Các cơ quan, đơn vị phân công cán bộ phụ trách an toàn thông tin") == ["Các cơ quan, đơn vị"]
