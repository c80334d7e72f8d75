package answer

import (
	"fmt"
	"io"
	"strings"
)

// Explain writes what the responder concluded about text in channel, and
// why, for a streamer tuning the FAQ (bot ask): the language and whether
// it is a question, the decision with the confidence it was weighed at,
// the reply, and the candidates with the terms they share with text and
// the example that matched. It is the same conclusion the answer stage
// acts on, so what it shows is what chat would get.
func (r Result) Explain(w io.Writer, channel, text string) {
	q := r.Question
	verdict := "not a question"
	if q.Is {
		verdict = "a question"
	}
	fmt.Fprintf(w, "#%s %q\n", channel, text)
	fmt.Fprintf(w, "  language: %s; %s (%s)\n", q.Lang, verdict, q.Why)
	if r.Request {
		fmt.Fprintf(w, "  shaped like a request: answered only at confidence ≥ %.2f\n", r.Threshold)
	}
	switch {
	case !q.Is && !r.Request:
		fmt.Fprintf(w, "  decision: ignore — the bot only answers questions and requests\n")
	case r.Best != nil:
		fmt.Fprintf(w, "  decision: answer with %q (confidence %.2f ≥ %.2f)\n", r.Best.Entry.ID, r.Best.Confidence, r.Threshold)
		fmt.Fprintf(w, "  reply: %s\n", r.Best.Entry.AnswerIn(q.Lang))
	case len(r.Candidates) > 0:
		fmt.Fprintf(w, "  decision: no answer (best confidence %.2f < %.2f)\n", r.Candidates[0].Confidence, r.Threshold)
	default:
		fmt.Fprintf(w, "  decision: no answer (no entry shares a word with it)\n")
	}
	if len(r.Candidates) == 0 {
		return
	}
	fmt.Fprintf(w, "  candidates:\n")
	for i, c := range r.Candidates {
		fmt.Fprintf(w, "   %d. %-20s %.2f  terms [%s]  via %q (%s:%d)\n", i+1, c.Entry.ID, c.Confidence,
			strings.Join(c.Terms, " "), c.Example, c.Entry.File, c.Entry.Line)
		fmt.Fprintf(w, "      signals: %s\n", c.Features.explain())
		if c.Features.HasSemantic {
			fmt.Fprintf(w, "      closest in meaning: %q\n", c.Features.SemanticExample)
		}
	}
}

// explain lists the signals the confidence is made of, as bot ask shows them.
func (f Features) explain() string {
	var b strings.Builder
	if f.HasSemantic {
		fmt.Fprintf(&b, "semantic %.2f (%s, lead %+.2f), ", f.Semantic, f.SemanticSource, f.SemanticMargin)
	}
	fmt.Fprintf(&b, "lexical %.2f, keyword %v, margin %+.2f, unknown words %.2f", f.Lexical, f.Keyword, f.Margin, f.Unknown)
	fmt.Fprintf(&b, ", missing: question %.2f example %.2f, mismatch %v", f.MissingQuestion, f.MissingExample, f.Mismatch)
	return b.String()
}
