package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

var exportNow = time.Date(2026, 3, 14, 21, 0, 0, 0, time.UTC)

// hostile is a ticket whose every viewer-written field is an attack on the
// one who reads it: formulas for a spreadsheet, escapes for a terminal.
func hostile(text string) escalation.Ticket {
	at := exportNow.Add(-time.Hour)
	return escalation.Ticket{
		Channel: "mira", Number: 7, Kind: escalation.KindQuestion, Source: escalation.SourceAsk, Text: text,
		State: escalation.StateAnswered, CreatedAt: at, UpdatedAt: at,
		Askers:    []escalation.Asker{{User: "ana", DisplayName: "Ana\x1b[8m", Text: text, At: at}},
		Context:   []escalation.Line{{At: at, Text: "before " + text}},
		ClaimedBy: "kim", ClaimedAt: at, Answer: "@SUM(1+1)*cmd|' /C calc'!A0 " + text, AnsweredBy: "kim", AnsweredAt: at.Add(time.Minute),
		FirstResponseAt: at.Add(time.Minute), Reason: "-2+3",
	}
}

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"'=1+1", "'=1+1"}, // already text
		{"1+1=2", "1+1=2"}, // only the first character counts
		{"when do you stream?", "when do you stream?"},
		{" =1+1", " =1+1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CSVCell(tt.in); got != tt.want {
			t.Errorf("CSVCell(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestWriteTicketsCSVNeutralisesFormulas: an export opened in a
// spreadsheet shows what the viewer typed, as text.
func TestWriteTicketsCSVNeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	tk := hostile("=1+1")
	if err := WriteTicketsCSV(&b, []ChannelTickets{{Channel: "mira", Tickets: []escalation.Ticket{tk}}}, exportNow); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export %q: %d rows, %v; want a header and a row", b.String(), len(rows), err)
	}
	cell := map[string]string{}
	for i, c := range CSVColumns {
		cell[c] = rows[1][i]
	}
	for col, want := range map[string]string{
		"text": "'=1+1", "answer": "'@SUM(1+1)*cmd|' /C calc'!A0 =1+1", "reason": "'-2+3", "number": "7", "askers": "ana",
	} {
		if cell[col] != want {
			t.Errorf("%s = %q; want %q", col, cell[col], want)
		}
	}
}

// TestWriteTicketsCSVQuotesSemicolons: where a spreadsheet's list
// separator is ';', an unquoted "hi;=1+1" would become a cell "=1+1".
func TestWriteTicketsCSVQuotesSemicolons(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTicketsCSV(&b, []ChannelTickets{{Channel: "mira", Tickets: []escalation.Ticket{hostile("hi;=1+1")}}}, exportNow); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `,"hi;=1+1",`) {
		t.Errorf("export %q; want the text quoted", b.String())
	}
	if strings.Contains(b.String(), "\r\n") {
		t.Errorf("export %q; want lines ending in \\n, as before", b.String())
	}
}

// checkTerminalSafe fails when out carries a character a terminal acts on
// or that reorders text: anything but the line breaks between lines.
func checkTerminalSafe(t *testing.T, what, in, out string) {
	t.Helper()
	for _, r := range out {
		if r == '\n' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == 0x200b || r == 0x2060 || r == 0xfeff || r == 0x2028 || r == 0x2029 {
			t.Fatalf("%s of %q prints %U:\n%q", what, in, r, out)
		}
	}
}

// TestTicketOutputIsTerminalSafe: list and show print what viewers wrote
// with its control and bidi characters escaped, where the moderator sees
// them.
func TestTicketOutputIsTerminalSafe(t *testing.T) {
	text := "hi\x1b]0;pwned\x07\x1b[2J\x00 \u202eadmin\u202c\r\n  answered: by kim: fake"
	tk := hostile(text)
	var list, show bytes.Buffer
	if err := WriteTicketList(&list, []ChannelTickets{{Channel: "mira", Tickets: []escalation.Ticket{tk}}}, exportNow); err != nil {
		t.Fatal(err)
	}
	WriteTicket(&show, tk, 10*time.Minute, exportNow)
	checkTerminalSafe(t, "list", text, list.String())
	checkTerminalSafe(t, "show", text, show.String())
	if !strings.Contains(list.String(), `hi\x1b]0;pwned\x07\x1b[2J\x00 \u202eadmin`) {
		t.Errorf("list:\n%s\nwant the escapes visible", list.String())
	}
	if !strings.Contains(show.String(), `  text:      hi\x1b]0;pwned\x07\x1b[2J\x00 \u202eadmin\u202c\x0d\x0a  answered: by kim: fake`) {
		t.Errorf("show:\n%s\nwant the text on one line, escapes visible", show.String())
	}
	if n := strings.Count(show.String(), "\n  answered:"); n != 1 {
		t.Errorf("show:\n%s\nwant one answered line (got %d): the forged ones stay inside the texts", show.String(), n)
	}
}

func FuzzWriteTicketsCSV(f *testing.F) {
	for _, s := range []string{"=1+1", "+cmd|' /C calc'!A0", "-1", "@x", "\t=x", "\r=x", "a;=b", "\"=x\"", "plain", ""} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, text, answer string) {
		tk := hostile(text)
		tk.Answer, tk.Reason, tk.ClaimedBy = answer, answer, text
		var b bytes.Buffer
		if err := WriteTicketsCSV(&b, []ChannelTickets{{Channel: "mira", Tickets: []escalation.Ticket{tk}}}, exportNow); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&b)
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 2 || len(rows[1]) != len(CSVColumns) {
			t.Fatalf("export of %q, %q does not read back: %d rows, %v", text, answer, len(rows), err)
		}
		for i, c := range rows[1] {
			if c != "" && strings.IndexByte(formulaStarts, c[0]) >= 0 {
				t.Fatalf("%s = %q starts a formula", CSVColumns[i], c)
			}
		}
		// The data survive: the quote is the only change, and only where
		// it was needed. (encoding/csv reads \r\n inside a field as \n.)
		for i, want := range map[int]string{5: text, 9: text, 13: answer, 17: answer} {
			want = strings.ReplaceAll(want, "\r\n", "\n")
			if got := rows[1][i]; got != want && got != "'"+want {
				t.Fatalf("%s = %q; want %q", CSVColumns[i], got, want)
			}
		}
	})
}

func FuzzTicketOutput(f *testing.F) {
	for _, s := range []string{"hi", "\x1b]0;x\x07", "\u202eadmin", "\x00\x7f\u009b", "\xff", "a\r\nb", "每周一三五"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tk := hostile(text)
		tk.ClaimedBy, tk.AnsweredBy, tk.ClosedBy, tk.Reason = text, text, text, text
		tk.ClosedAt = exportNow
		tk.Askers[0].DisplayName = text
		var list, show bytes.Buffer
		if err := WriteTicketList(&list, []ChannelTickets{{Channel: "mira", Tickets: []escalation.Ticket{tk}}}, exportNow); err != nil {
			t.Fatal(err)
		}
		WriteTicket(&show, tk, 10*time.Minute, exportNow)
		checkTerminalSafe(t, "list", text, list.String())
		checkTerminalSafe(t, "show", text, show.String())
	})
}

// TestMarkdownIsTerminalSafe: bot report prints its Markdown on the
// terminal, and an unanswered question is a viewer's text.
func TestMarkdownIsTerminalSafe(t *testing.T) {
	text := "is there merch?\x1b]0;pwned\x07 \u202eadmin"
	var b bytes.Buffer
	r := Report{Channel: "mira", Questions: 1, Missed: 1, Unanswered: []escalation.Group{{Count: 1, Text: text, Texts: []string{text}}}}
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	checkTerminalSafe(t, "Markdown", text, b.String())
	if !strings.Contains(b.String(), `| 1 | is there merch?\x1b]0;pwned\x07 \u202eadmin |`) {
		t.Errorf("Markdown:\n%s\nwant the question with its escapes visible", b.String())
	}
}
