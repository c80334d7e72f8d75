package escalation

import "fmt"

// Kinds are every kind of ticket, in the order people list them.
var Kinds = []Kind{KindQuestion, KindComplaint, KindSuggestion, KindFAQFix}

// ParseKind reads a kind as a user types it; empty means every kind.
func ParseKind(s string) (Kind, error) {
	if s == "" {
		return "", nil
	}
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q (want question, complaint, suggestion or faq-fix)", s)
}

// OfKind keeps the tickets of kind k; the empty kind keeps all.
func OfKind(ts []Ticket, k Kind) []Ticket {
	if k == "" {
		return ts
	}
	var out []Ticket
	for _, t := range ts {
		if t.Kind == k {
			out = append(out, t)
		}
	}
	return out
}
