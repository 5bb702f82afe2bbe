// The projection's layout (schema version 5): a case is one `cases` row of typed columns, one
// `case_reporters` row per reporter and one `case_tasks` row per department task. Written and read only here,
// by the store and by the migration that converts the JSON projection of schema 4.
//
// What stays JSON, and why: a case's fields (a text map the workflow defines, shown whole, never filtered
// on) and its past clock rounds (a short list read whole by `case show`). Everything a query filters, sorts
// or counts on is a column; the reporters and the tasks are rows, so the department filter reads an index
// and a repeat report or a task's new status writes one small row instead of the whole state again.
#pragma once

#include <string>

#include "engine/case.h"
#include "storage/sqlite.h"

namespace minsheng::storage_detail {

// The `cases` columns read_case_row expects, in its order, named as the table's alias `c`, for
// "SELECT <kCaseColumns> FROM cases c ..." (a join with case_actors, whose rows have a phase and a receipt
// too, reads them unambiguously).
extern const char* const kCaseColumns;

// Writes a new case: its row, its reporters and its tasks.
void insert_case_rows(sql::StmtCache& stmts, const CaseState& s);

// Updates an existing case from `s`: the columns an event can change, reporters added since, tasks added or
// changed. Returns false when the case has no row.
bool update_case_rows(sql::Db& db, sql::StmtCache& stmts, const CaseState& s);

// Deletes every case's rows.
void delete_all_case_rows(sql::Db& db);

// The case at the current row of `row` (a statement selecting kCaseColumns), with its reporters and tasks.
// Throws when a stored value cannot be read (a JSON column damaged, a task status unknown).
CaseState read_case_row(sql::StmtCache& stmts, const sql::Stmt& row);

}  // namespace minsheng::storage_detail
