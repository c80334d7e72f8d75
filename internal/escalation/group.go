package escalation

// Group is questions that ask the same thing, for the report's "what to add
// to the FAQ next".
type Group struct {
	// Text is the group's first wording.
	Text string
	// Texts are the distinct wordings, first seen first.
	Texts []string
	Count int
}

// GroupSimilar groups questions with the similarity the desk uses to join
// viewers to a ticket, so the report's groups are the tickets a crowd would
// have filed. names (the bot's and the streamer's logins) are ignored.
// Groups come in order of their first question.
func GroupSimilar(texts []string, names []string) []Group {
	type group struct {
		Group
		terms terms
	}
	var gs []*group
	for _, text := range texts {
		tt := termsOf(text, names)
		var hit *group
		for _, g := range gs {
			if similar(g.terms, tt) {
				hit = g
				break
			}
		}
		if hit == nil {
			hit = &group{Group: Group{Text: text}, terms: tt}
			gs = append(gs, hit)
		}
		hit.Count++
		if !contains(hit.Texts, text) {
			hit.Texts = append(hit.Texts, text)
		}
	}
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = g.Group
	}
	return out
}
