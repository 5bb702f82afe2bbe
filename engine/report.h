// Reports (SPEC.md "Reports"): typical-case write-ups (典型事例) rendered from a workflow's `write_up`
// template, and the year's statistics in Markdown, HTML, CSV and JSON. Pure functions from cases, their
// events, workflows and the calendar to text: no storage, no printing. Everything personal is masked on the
// way out (masking.h), before a value enters a template and again on the rendered text.
//
// This header gathers the report modules for their callers:
//   masking.h        the Masker and its rules
//   outcome.h        on time, visits: how reports count a case's outcome
//   write_up.h       a case's template values and its write-up
//   annual.h         the year's figures and their definitions
//   report_render.h  the documents (Markdown, HTML with SVG charts, CSV, JSON)
#pragma once

#include "engine/annual.h"
#include "engine/masking.h"
#include "engine/outcome.h"
#include "engine/report_render.h"
#include "engine/write_up.h"
