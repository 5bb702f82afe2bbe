#!/usr/bin/env python3
"""Makes paper/reference.docx, the reference document pandoc takes its styles from for
`report typical|annual --format docx` (pandoc --reference-doc).

Reproducible: starts from the reference.docx of the pandoc installed (`pandoc --print-default-data-file
reference.docx`), replaces the styles a report uses with 公文-like ones (GB/T 9704 in spirit) and writes the zip
with fixed timestamps. Run it again after upgrading pandoc:  python3 paper/make-reference-docx.py

  - page: A4, margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm;
  - body (Normal, BodyText, FirstParagraph, Compact): 仿宋 (FangSong) 三号 16 pt, first line indented two
    characters, lines exactly 28 pt;
  - Title: 方正小标宋简体 / 宋体 二号 22 pt, centred;
  - Heading 1: 黑体 三号; Heading 2: 楷体 三号; Heading 3: 仿宋 三号 bold;
  - footer: the page number centred, "— 1 —", 宋体 四号.
"""
import re
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

OUT = Path(__file__).resolve().parent / "reference.docx"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def fonts(east, ascii_font="Times New Roman"):
    return (f'<w:rFonts w:ascii="{ascii_font}" w:hAnsi="{ascii_font}" w:eastAsia="{east}" '
            f'w:cs="{ascii_font}" w:hint="eastAsia"/>')


BODY_PPR = ('<w:pPr><w:spacing w:before="0" w:after="0" w:line="560" w:lineRule="exact"/>'
            '<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/></w:pPr>')
BODY_RPR = f'<w:rPr>{fonts("仿宋")}<w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>'


def style(style_id, name, ppr, rpr, based_on="Normal", next_style="BodyText", default=False):
    d = ' w:default="1"' if default else ""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (f'<w:style w:type="paragraph"{d} w:styleId="{style_id}"><w:name w:val="{name}"/>{based}'
            f'<w:next w:val="{next_style}"/><w:qFormat/>{ppr}{rpr}</w:style>')


def heading_rpr(font, bold=False):
    b = "<w:b/><w:bCs/>" if bold else "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>"
    return f'<w:rPr>{fonts(font)}{b}<w:color w:val="000000"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>'


HEADING_PPR = ('<w:pPr><w:keepNext/><w:spacing w:before="0" w:after="0" w:line="560" w:lineRule="exact"/>'
               '<w:ind w:firstLineChars="200" w:firstLine="640"/><w:outlineLvl w:val="{lvl}"/></w:pPr>')

STYLES = {
    "Normal": style("Normal", "Normal", BODY_PPR, BODY_RPR, based_on=None, next_style="Normal", default=True),
    "BodyText": style("BodyText", "Body Text", BODY_PPR, BODY_RPR),
    "FirstParagraph": style("FirstParagraph", "First Paragraph", BODY_PPR, BODY_RPR, based_on="BodyText"),
    "Compact": style("Compact", "Compact", BODY_PPR, BODY_RPR, based_on="BodyText"),
    "Title": style("Title", "Title",
                   '<w:pPr><w:keepNext/><w:spacing w:before="0" w:after="560" w:line="700" w:lineRule="exact"/>'
                   '<w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr>',
                   f'<w:rPr>{fonts("方正小标宋简体")}<w:b w:val="0"/><w:color w:val="000000"/>'
                   '<w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr>'),
    "Heading1": style("Heading1", "heading 1", HEADING_PPR.format(lvl=0), heading_rpr("黑体")),
    "Heading2": style("Heading2", "heading 2", HEADING_PPR.format(lvl=1), heading_rpr("楷体")),
    "Heading3": style("Heading3", "heading 3", HEADING_PPR.format(lvl=2), heading_rpr("仿宋", bold=True)),
}

FOOTER = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr {W} {R}>'
          '<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>'
          f'<w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r>'
          '</w:p></w:ftr>')

SECT = ('<w:sectPr><w:footerReference w:type="default" r:id="rIdMinshengFooter"/>'
        '<w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" '
        'w:gutter="0"/></w:sectPr>')


def main():
    base = subprocess.run(["pandoc", "--print-default-data-file", "reference.docx"], check=True,
                          capture_output=True).stdout
    src = zipfile.ZipFile(BytesIO(base))
    files = {n: src.read(n) for n in src.namelist()}

    styles = files["word/styles.xml"].decode("utf-8")
    styles = re.sub(r"<w:docDefaults>.*?</w:docDefaults>",
                    f"<w:docDefaults><w:rPrDefault>{BODY_RPR}</w:rPrDefault>"
                    "<w:pPrDefault><w:pPr/></w:pPrDefault></w:docDefaults>", styles, flags=re.S)
    for sid, xml in STYLES.items():
        pattern = r'<w:style [^>]*w:styleId="%s"[^>]*>.*?</w:style>' % sid
        if re.search(pattern, styles, flags=re.S):
            styles = re.sub(pattern, lambda _m, x=xml: x, styles, count=1, flags=re.S)
        else:
            styles = styles.replace("</w:styles>", xml + "</w:styles>")
    files["word/styles.xml"] = styles.encode("utf-8")

    doc = files["word/document.xml"].decode("utf-8")
    doc = re.sub(r"<w:sectPr\s*/>|<w:sectPr>.*?</w:sectPr>", SECT, doc, flags=re.S)
    files["word/document.xml"] = doc.encode("utf-8")

    rels = files["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>",
                        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                        'footer" Id="rIdMinshengFooter" Target="footer1.xml" /></Relationships>')
    files["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    files["word/footer1.xml"] = FOOTER.encode("utf-8")

    types = files["[Content_Types].xml"].decode("utf-8")
    types = types.replace("</Types>", '<Override PartName="/word/footer1.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" /></Types>')
    files["[Content_Types].xml"] = types.encode("utf-8")

    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist() + ["word/footer1.xml"]:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, files[name])
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
