package moderation

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// DefaultSpamThreshold is the spam score from which the spam rule acts. It
// was chosen on held-out labelled chat to keep false positives on honest
// messages well under one in a hundred, and raised from 0.8 after honest
// questions about money and help ("help me transfer $100 to savings",
// "thanks for your help!") scored just above 0.8: viewers talk like that,
// and a deleted honest question costs more than a missed spam line.
const DefaultSpamThreshold = 0.85

// spamModelText is the spam score's model: one weight per feature,
// learned from labelled spam and honest messages (see the file's header
// for its sources). It holds weights only, never the messages.
//
//go:embed spam_model.txt
var spamModelText string

// spamModelData is a logistic regression over the presence of features of
// a message: its normalised words, word pairs and a few shapes such as
// "has a link" or "has a long number".
type spamModelData struct {
	weights map[string]float64
	bias    float64
}

// spamMinWords: shorter messages are not scored; a few words say too
// little, and short lines are most of honest chat.
const spamMinWords = 3

var spamModel = sync.OnceValue(func() *spamModelData {
	m, err := parseSpamModel(spamModelText)
	if err != nil {
		// The model ships inside the binary and a test parses it, so
		// this is a build mistake, not something a user can cause.
		panic("moderation: bad embedded spam model: " + err.Error())
	}
	return m
})

// parseSpamModel reads "#"-comment lines, a "bias <b>" line, then one
// "<feature>\t<weight>" line per feature.
func parseSpamModel(text string) (*spamModelData, error) {
	m := &spamModelData{weights: map[string]float64{}}
	sc := bufio.NewScanner(strings.NewReader(text))
	line, haveBias := 0, false
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, val, ok := strings.Cut(l, "\t")
		if !ok {
			return nil, &modelError{line, "want a feature and a weight, tab-separated"}
		}
		w, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, &modelError{line, "the weight must be a number"}
		}
		if name == "bias" {
			m.bias, haveBias = w, true
			continue
		}
		m.weights[name] = dampen(name, w)
	}
	if !haveBias {
		return nil, &modelError{line, "no bias line"}
	}
	return m, nil
}

// twitchWords are ordinary words of Twitch chat that the training set,
// YouTube comments and text messages, learned as spam signs: there,
// "check out" and "subscribe" were mostly self-promotion; on Twitch they
// are how viewers talk about clips, subs and follows. Their weights, and
// those of pairs made only of them, are held to twitchWordWeight, so that
// they add to other evidence but never make it alone.
var twitchWords = map[string]bool{
	"check": true, "out": true, "watch": true, "stream": true, "streams": true, "follow": true,
	"followers": true, "sub": true, "subs": true, "subscribe": true, "subscribed": true,
	"subscribers": true, "channel": true, "video": true, "videos": true, "youtube": true,
	"views": true, "viewers": true, "like": true, "likes": true, "comment": true, "share": true,
	"please": true, "pls": true, "plz": true, "new": true, "look": true, "clip": true, "song": true,
	"music": true, "this": true, "the": true, "my": true, "me": true, "on": true, "to": true, "if": true,
	"and": true, "or": true, "you": true, "your": true, "for": true, "it": true, "at": true, "in": true,
}

const twitchWordWeight = 0.5

func dampen(feature string, w float64) float64 {
	if w <= twitchWordWeight {
		return w
	}
	a, b, pair := strings.Cut(feature, "_")
	if twitchWords[feature] || pair && twitchWords[a] && twitchWords[b] {
		return twitchWordWeight
	}
	return w
}

type modelError struct {
	line int
	msg  string
}

func (e *modelError) Error() string { return "line " + strconv.Itoa(e.line) + ": " + e.msg }

// score returns the probability that the input is spam, and false when
// the message is too short to judge.
func (m *spamModelData) score(in *Input) (float64, bool) {
	if len(in.Words) < spamMinWords {
		return 0, false
	}
	logit := m.bias
	spamFeatures(in, func(f []byte) {
		logit += m.weights[string(f)]
	})
	return 1 / (1 + math.Exp(-logit)), true
}

// explainWords is how many of a spam score's features an explanation
// names.
const explainWords = 5

// explain lists the n features of the input that pushed its score up the
// most, heaviest first, with their weights: `"free" +1.20`, `"call_now"
// +0.85`. Word pairs are shown with an underscore, as the model keeps
// them. It runs only for a message already judged spam.
func (m *spamModelData) explain(in *Input, n int) []string {
	type weighed struct {
		f string
		w float64
	}
	var top []weighed
	spamFeatures(in, func(f []byte) {
		if w := m.weights[string(f)]; w > 0 {
			top = append(top, weighed{string(f), w})
		}
	})
	sort.SliceStable(top, func(i, j int) bool { return top[i].w > top[j].w })
	out := make([]string, 0, min(n, len(top)))
	for _, t := range top[:min(n, len(top))] {
		out = append(out, fmt.Sprintf("%q %+.2f", t.f, t.w))
	}
	return out
}

// maxFeatures bounds how many features of one message count, and
// featureBuf how long one may be.
const (
	maxFeatures = 160
	featureBuf  = 128
)

// spamFeatures calls fn once for each distinct feature of the input: the
// words of its text outside links (numbers by their length: "#5" for five
// digits or more), pairs of neighbouring words, and two shapes: a sum of
// money, and shouting. The slice passed to fn is only valid during the
// call.
//
// Links are left out entirely: where a link points, and whether the
// author may post one, is the links rule's business; a score that learned
// "youtube" and "watch" from spam that linked there would flag every song
// link a viewer shares, and one that learned "has a link" would undo every
// !permit.
func spamFeatures(in *Input, fn func([]byte)) {
	var seen [maxFeatures]uint64
	n := 0
	// The scratch lives in the scanner: fn may, as far as the compiler
	// can tell, keep what it is given, so a local array would be moved to
	// the heap on every message.
	buf := &in.sc.feature
	emit := func(f []byte) {
		if n >= maxFeatures {
			return
		}
		h := hashBytes(f)
		for _, s := range seen[:n] {
			if s == h {
				return
			}
		}
		seen[n] = h
		n++
		fn(f)
	}
	norm, words := in.prose()
	var prev []byte
	prevBuf := &in.sc.prevWord
	for _, sp := range words {
		w := norm[sp.Start:sp.End]
		if isNumber(w) {
			w = numberShape(w)
		}
		if len(w) > featureBuf/2-1 {
			w = w[:featureBuf/2-1]
		}
		emit(w)
		if prev != nil {
			b := append(buf[:0], prev...)
			b = append(b, '_')
			b = append(b, w...)
			emit(b)
		}
		prev = append(prevBuf[:0], w...)
	}
	if hasMoney(in.Msg.Text) {
		emit(featureMoney)
	}
	if in.Letters >= 12 && in.Upper*10 >= in.Letters*7 {
		emit(featureCaps)
	}
}

var (
	featureMoney = []byte("<money>")
	featureCaps  = []byte("<caps>")
)

func isNumber(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(w) > 0
}

var numberShapes = [...][]byte{[]byte("#1"), []byte("#2"), []byte("#3"), []byte("#3"), []byte("#5")}

// numberShape stands a number in for its length: a phone number or a
// short code matters, its digits do not.
func numberShape(w []byte) []byte {
	return numberShapes[min(len(w), 5)-1]
}

// hasMoney reports a currency sign next to a digit: "£1000", "$5".
func hasMoney(s string) bool {
	for i := 0; i < len(s); i++ {
		var n int
		switch {
		case s[i] == '$':
			n = 1
		case strings.HasPrefix(s[i:], "£"), strings.HasPrefix(s[i:], "€"):
			n = len("£")
			if s[i] != 0xC2 {
				n = len("€")
			}
		default:
			continue
		}
		if i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
			return true
		}
	}
	return false
}
