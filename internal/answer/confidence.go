package answer

import (
	"math"
	"sort"
)

// signals are a candidate's features as the confidence model reads them, in
// the order of model.weights.
func signals(f Features) []float64 {
	return []float64{
		1,
		f.Semantic,
		f.Lexical,
		b2f(f.Keyword),
		math.Max(-0.5, math.Min(f.Margin, 0.5)),
		f.MissingQuestion,
		f.MissingExample,
		b2f(f.Mismatch),
		f.Unknown,
		math.Max(-0.3, math.Min(f.SemanticMargin, 0.3)),
	}
}

// signalNames name signals' values, for the calibration's output.
var signalNames = []string{"bias", "semantic", "lexical", "keyword", "margin", "missing_q", "missing_ex", "mismatch", "unknown", "semantic_margin"}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// model is a logistic model over signals: its output is the probability,
// measured on labelled chat, that the candidate is the right answer.
type model struct {
	weights []float64
	// threshold is the least confidence that kept precision on every
	// fold of the calibration; DefaultMinConfidence ships it.
	threshold float64
}

func (m model) confidence(f Features) float64 {
	var z float64
	for i, x := range signals(f) {
		z += m.weights[i] * x
	}
	return 1 / (1 + math.Exp(-z))
}

// signalRange is the least and the most each of signals can be: shares in
// [0, 1], flags 0 or 1, the margins as clamped there.
var signalRange = [][2]float64{
	{1, 1},      // bias
	{-1, 1},     // semantic
	{0, 1},      // lexical
	{0, 1},      // keyword
	{-0.5, 0.5}, // margin
	{0, 1},      // missing_q
	{0, 1},      // missing_ex
	{0, 1},      // mismatch
	{0, 1},      // unknown
	{-0.3, 0.3}, // semantic_margin
}

// ceiling is the most confidence a candidate with this semantic score and
// lead can get, whatever its other signals: each of them at the end of its
// range its weight favours.
func (m model) ceiling(semantic, semanticMargin float64) float64 {
	var z float64
	for i, r := range signalRange {
		w := m.weights[i]
		switch i {
		case 1:
			z += w * semantic
		case 9:
			z += w * math.Max(r[0], math.Min(semanticMargin, r[1]))
		default:
			z += math.Max(w*r[0], w*r[1])
		}
	}
	return 1 / (1 + math.Exp(-z))
}

// rank orders an entry's candidates before the model weighs them, and the
// margin is measured in it: a fixed blend of the lexical and semantic
// scores, less the Chinese negative evidence, so that the margin does not
// depend on the fitted weights.
func rank(f Features) float64 {
	r := f.Lexical
	if f.HasSemantic {
		r = 0.5*f.Lexical + 0.5*f.Semantic
	}
	if !f.HasSemantic {
		r -= 0.25 * (f.MissingQuestion + f.MissingExample)
	}
	if f.Keyword {
		r += 0.15
	}
	return r
}

// calibrate sorts the candidates by rank, best first, and sets every one's
// margin and confidence. The order is the rank's, not the confidence's, so
// the candidate the model is fitted on does not depend on the model.
func (ix *Index) calibrate(lang string, cs []Candidate) {
	sort.Slice(cs, func(i, j int) bool {
		ri, rj := rank(cs[i].Features), rank(cs[j].Features)
		if ri != rj {
			return ri > rj
		}
		return cs[i].Entry.ID < cs[j].Entry.ID
	})
	m := calibrated[lang]
	// A Chinese question scored by the streamer's own model is weighed like
	// an English one: the Chinese model has no semantic signal to weigh.
	if lang != "en" && len(cs) > 0 && cs[0].Features.HasSemantic {
		m = calibrated["en"]
	}
	for i := range cs {
		f := &cs[i].Features
		switch {
		case i == 0 && cs[0].exact():
			// A question worded exactly like one of the examples is not
			// ambiguous, however close another entry comes.
			f.Margin = 1
		case i == 0 && len(cs) > 1:
			f.Margin = rank(*f) - rank(cs[1].Features)
		case i == 0:
			f.Margin = rank(*f)
		default:
			f.Margin = rank(*f) - rank(cs[0].Features)
		}
		cs[i].Confidence = m.confidence(*f)
	}
	if len(cs) > 0 && cs[0].exact() {
		cs[0].Confidence = math.Max(cs[0].Confidence, 0.99)
	}
}
