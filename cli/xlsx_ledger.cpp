// The ledger as an xlsx file (SPEC Part 2 "Ledgers"), through libxlsxwriter: part of the full program only
// (cli/full_program.h says why).
#include <xlsxwriter.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/full_program.h"
#include "engine/error.h"
#include "usecases/ledger.h"

namespace minsheng::cli {

namespace {

// xlsx column widths, in Excel's character units (a Chinese character counts about two).
constexpr double kXlsxWidths[] = {14, 14, 26, 40, 18, 10, 14, 10, 9,  40, 10,
                                  12, 16, 20, 12, 11, 11, 24, 18, 10, 9,  9};

// The ledger as an xlsx workbook, one case at a time (libxlsxwriter's constant-memory mode writes each row
// to disk as it comes): one sheet 台账, a frozen header row with filters, column widths, and real dates.
class XlsxLedger final : public LedgerSink {
public:
    explicit XlsxLedger(const std::string& file) {
        lxw_workbook_options options{};
        options.constant_memory = LXW_TRUE;
        book_ = workbook_new_opt(file.c_str(), &options);
        if (!book_) throw storage_error("无法创建 xlsx 文件 " + file);
        sheet_ = workbook_add_worksheet(book_, "台账");
        header_ = workbook_add_format(book_);
        format_set_bold(header_);
        format_set_bg_color(header_, 0xDDEBF7);
        format_set_border(header_, LXW_BORDER_THIN);
        format_set_text_wrap(header_);
        format_set_align(header_, LXW_ALIGN_VERTICAL_CENTER);
        text_ = workbook_add_format(book_);
        format_set_text_wrap(text_);
        format_set_align(text_, LXW_ALIGN_VERTICAL_TOP);
        date_ = workbook_add_format(book_);
        format_set_num_format(date_, "yyyy-mm-dd");
        format_set_align(date_, LXW_ALIGN_VERTICAL_TOP);
        datetime_ = workbook_add_format(book_);
        format_set_num_format(datetime_, "yyyy-mm-dd hh:mm");
        format_set_align(datetime_, LXW_ALIGN_VERTICAL_TOP);
        number_ = workbook_add_format(book_);
        format_set_align(number_, LXW_ALIGN_VERTICAL_TOP);
        const auto& headers = ledger_headers();
        for (lxw_col_t c = 0; c < headers.size(); ++c)
            worksheet_set_column(sheet_, c, c, kXlsxWidths[c], nullptr);
        worksheet_freeze_panes(sheet_, 1, 0);
        for (lxw_col_t c = 0; c < headers.size(); ++c)
            worksheet_write_string(sheet_, 0, c, headers[c].c_str(), header_);
    }
    ~XlsxLedger() override {
        if (book_) workbook_close(book_);  // only after a failure: nothing of it is kept
    }
    XlsxLedger(const XlsxLedger&) = delete;
    XlsxLedger& operator=(const XlsxLedger&) = delete;

    void add(const std::vector<std::string>& cells) override {
        ++row_;
        for (lxw_col_t c = 0; c < cells.size(); ++c) {
            const std::string& v = cells[c];
            if (v.empty()) continue;
            lxw_error rc = LXW_NO_ERROR;
            LedgerCellKind kind = ledger_cell_kind(c);
            // A date with words beside it (2027-01-13（暂定）) stays text, so the words are not lost.
            if ((kind == LedgerCellKind::Date && v.size() != 10) ||
                (kind == LedgerCellKind::DateTime && v.size() < 16))
                kind = LedgerCellKind::Text;
            switch (kind) {
                case LedgerCellKind::Number:
                    rc = worksheet_write_number(sheet_, row_, c, std::stod(v), number_);
                    break;
                case LedgerCellKind::Date:
                case LedgerCellKind::DateTime: {
                    lxw_datetime dt{};
                    dt.year = std::stoi(v.substr(0, 4));
                    dt.month = std::stoi(v.substr(5, 2));
                    dt.day = std::stoi(v.substr(8, 2));
                    if (v.size() >= 16) {
                        dt.hour = std::stoi(v.substr(11, 2));
                        dt.min = std::stoi(v.substr(14, 2));
                        if (v.size() >= 19) dt.sec = std::stod(v.substr(17, 2));
                    }
                    rc = worksheet_write_datetime(
                        sheet_, row_, c, &dt,
                        ledger_cell_kind(c) == LedgerCellKind::Date ? date_ : datetime_);
                    break;
                }
                case LedgerCellKind::Text:
                    // Always a plain string, never a formula, whatever the text starts with.
                    rc = worksheet_write_string(sheet_, row_, c, v.c_str(), text_);
                    break;
            }
            if (rc != LXW_NO_ERROR)
                throw storage_error("无法写入 xlsx 第 " + std::to_string(row_ + 1) + " 行：" +
                                    lxw_strerror(rc));
        }
    }

    void close() override {
        worksheet_autofilter(sheet_, 0, 0, row_, static_cast<lxw_col_t>(ledger_headers().size() - 1));
        const lxw_error rc = workbook_close(book_);
        book_ = nullptr;
        if (rc != LXW_NO_ERROR) throw storage_error(std::string("无法写完 xlsx 文件：") + lxw_strerror(rc));
    }

private:
    lxw_workbook* book_ = nullptr;
    lxw_worksheet* sheet_ = nullptr;
    lxw_format* header_ = nullptr;
    lxw_format* text_ = nullptr;
    lxw_format* date_ = nullptr;
    lxw_format* datetime_ = nullptr;
    lxw_format* number_ = nullptr;
    lxw_row_t row_ = 0;
};

}  // namespace

std::unique_ptr<LedgerSink> open_xlsx_ledger(const std::string& file) {
    return std::make_unique<XlsxLedger>(file);
}

}  // namespace minsheng::cli
