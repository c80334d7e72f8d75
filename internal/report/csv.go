package report

import (
	"bufio"
	"strings"
)

// Viewer text in a CSV export is opened by spreadsheets, which run a cell
// that starts with '=', '+', '-' or '@' as a formula ("=1+1",
// "+cmd|' /C calc'!A0"), and some also after a leading tab or carriage
// return. OWASP's rule for CSV injection is to make such a cell text by
// putting a single quote in front of it, which spreadsheets show as
// nothing more than a mark that the cell is text. That quote is the one
// change an export makes to the data.

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula.
const formulaStarts = "=+-@\t\r"

// CSVCell neutralises a CSV cell for spreadsheets: one that starts with
// '=', '+', '-', '@', a tab or a carriage return gets a single quote in
// front; any other is returned as it is.
func CSVCell(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// writeCSVRow writes one record as RFC 4180 does, each field through
// CSVCell. Besides what encoding/csv quotes (a comma, a double quote, a
// line break, leading white space) it quotes a field with a semicolon:
// spreadsheets in locales whose list separator is ';' split an unquoted
// field there, and the piece after it would start a new cell, which
// CSVCell never saw.
func writeCSVRow(w *bufio.Writer, fields []string) error {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		f = CSVCell(f)
		if !needsQuotes(f) {
			w.WriteString(f)
			continue
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		w.WriteByte('"')
	}
	_, err := w.WriteString("\n")
	return err
}

func needsQuotes(f string) bool {
	return strings.ContainsAny(f, ",;\"\r\n") || f != "" && (f[0] == ' ' || f[0] == '\t')
}
