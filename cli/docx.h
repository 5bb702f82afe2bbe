// Word files (SPEC Part 2 "Paper": `report typical|annual --format docx`), made by pandoc from the report's
// Markdown with the reference document paper/reference.docx (compiled in) for 公文-like styles: A4, 仿宋
// body, the title centred, page numbers in the footer. pandoc is the converter because it is maintained,
// packaged by Debian, and reads the Markdown the reports already produce; the program runs it as a separate
// process.
#pragma once

#include <string>

namespace minsheng::cli {

// The .docx bytes of `markdown`. Its first level-1 heading becomes the document's title. The converter is
// `pandoc` found on PATH, or the program $MINSHENG_PANDOC names. Storage error (exit 1) with one Chinese line
// naming the Debian package when it is missing; the converter's first error line when it fails.
std::string markdown_to_docx(const std::string& markdown);

}  // namespace minsheng::cli
