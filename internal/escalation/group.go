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
		q wording
	}
	var gs []*group
	// A line joins the first group it is similar to; only the groups that
	// share a telling term with it can be.
	index := newQuestionIndex[int]()
	for _, text := range texts {
		q := newWording(termsOf(text, names))
		hit := -1
		index.candidates(q, func(i int) {
			if (hit < 0 || i < hit) && similar(gs[i].q, q) {
				hit = i
			}
		})
		if hit < 0 {
			hit = len(gs)
			gs = append(gs, &group{Group: Group{Text: text}, q: q})
			index.add(hit, q)
		}
		g := gs[hit]
		g.Count++
		if !contains(g.Texts, text) {
			g.Texts = append(g.Texts, text)
		}
	}
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = g.Group
	}
	return out
}
