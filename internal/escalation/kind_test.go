package escalation_test

import (
	"testing"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

func TestParseKind(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want escalation.Kind
		ok   bool
	}{
		{"", "", true},
		{"question", escalation.KindQuestion, true},
		{"faq-fix", escalation.KindFAQFix, true},
		{"suggestion", escalation.KindSuggestion, true},
		{"Question", "", false},
		{"bug", "", false},
	} {
		got, err := escalation.ParseKind(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	ts := []escalation.Ticket{{Number: 1, Kind: escalation.KindQuestion}, {Number: 2, Kind: escalation.KindSuggestion}}
	if got := escalation.OfKind(ts, escalation.KindSuggestion); len(got) != 1 || got[0].Number != 2 {
		t.Errorf("OfKind(suggestion) = %v; want ticket 2 only", got)
	}
	if got := escalation.OfKind(ts, ""); len(got) != 2 {
		t.Errorf("OfKind(\"\") kept %d; want both", len(got))
	}
}
