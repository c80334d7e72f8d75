package moderation

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

var trainSpam = flag.Bool("spam.train", false, "retrain spam_model.txt from the dev spam set")

// devDir finds the labelled dev data beside the repository; a fresh clone
// has none and the caller skips, but CI must have it.
func devDir(t testing.TB) string {
	t.Helper()
	// The same variables as the bot's own dev-set tests.
	dir := os.Getenv("CHATDESK_TEST_DEV_DATA")
	if dir == "" {
		dir = os.Getenv("CHATDESK_DEV_DATA")
	}
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "dev")
	}
	if _, err := os.Stat(filepath.Join(dir, "spam", "chat.jsonl")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dev data not found at %s (set CHATDESK_TEST_DEV_DATA): %v", dir, err)
		}
		t.Skipf("dev data not found at %s; it lives beside the repository (set CHATDESK_TEST_DEV_DATA to point elsewhere)", dir)
	}
	return dir
}

type labelled struct {
	text string
	spam bool
	// own marks a row of ownTrainFile, which counts ownWeight of a dev row.
	own bool
}

func readSpamSet(t testing.TB, dir string) []labelled {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "spam", "chat.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct{ Text, Expect string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, labelled{text: l.Text, spam: l.Expect == "spam"})
	}
	return out
}

// ownTrainFile is Twitch-style chat written for chatdesk, added to the
// dev set's rows when the spam score is trained.
const ownTrainFile = "testdata/train/twitch.txt"

// ownWeight is what a row of ownTrainFile counts for against a dev row:
// enough to teach the score Twitch's words, not so much that a hundred
// lines outweigh the labelled sets.
var ownWeight = 0.5

// readOwnRows reads ownTrainFile: "spam | text" and "ok | text" lines.
func readOwnRows(t testing.TB) []labelled {
	t.Helper()
	var out []labelled
	for _, l := range readLines(t, ownTrainFile) {
		label, text, ok := strings.Cut(l, " | ")
		label = strings.TrimSpace(label)
		if !ok || label != "spam" && label != "ok" {
			t.Fatalf("%s: %q: want \"spam | text\" or \"ok | text\"", ownTrainFile, l)
		}
		out = append(out, labelled{text, label == "spam", true})
	}
	return out
}

// featureCounts counts, per feature, the spam and honest messages that
// have it.
type featureCounts struct {
	spam, ok int
	by       map[string][2]int
}

func countFeatures(rows []labelled) featureCounts {
	fc := featureCounts{by: map[string][2]int{}}
	var sc scanner
	var in Input
	emotes := knownEmotes(nil)
	for _, r := range rows {
		msg := chat.Message{Text: r.text}
		sc.prepare(&in, &msg, time.Time{}, emotes)
		if r.spam {
			fc.spam++
		} else {
			fc.ok++
		}
		spamFeatures(&in, func(f []byte) {
			c := fc.by[string(f)]
			if r.spam {
				c[0]++
			} else {
				c[1]++
			}
			fc.by[string(f)] = c
		})
	}
	return fc
}

// minFeatureDocs drops features seen in fewer messages: rare ones are
// noise that does not generalise, and they are where names, numbers and
// links of individual messages would hide.
const minFeatureDocs = 3

// trainedModel is a logistic regression over feature presence.
type trainedModel struct {
	bias    float64
	weights map[string]float64
	spam    int
	ok      int
	// own counts the rows of ownTrainFile among them.
	own int
}

// Training settings: plain gradient descent on the L2-regularised log
// loss. Strong regularisation keeps weights small, so that no single word
// carries a message over the threshold on its own.
const (
	trainEpochs = 100
	trainRate   = 0.5
	trainL2     = 1e-3
)

func train(rows []labelled) trainedModel {
	fc := countFeatures(rows)
	index := map[string]int{}
	var names []string
	for k, c := range fc.by {
		if c[0]+c[1] >= minFeatureDocs && !strings.ContainsAny(k, "\t\n") {
			index[k] = len(names)
			names = append(names, k)
		}
	}
	docs := make([][]int, len(rows))
	var sc scanner
	var in Input
	emotes := knownEmotes(nil)
	for i, r := range rows {
		msg := chat.Message{Text: r.text}
		sc.prepare(&in, &msg, time.Time{}, emotes)
		spamFeatures(&in, func(f []byte) {
			if j, ok := index[string(f)]; ok {
				docs[i] = append(docs[i], j)
			}
		})
	}
	w := make([]float64, len(names))
	var bias float64
	grad := make([]float64, len(names))
	n := float64(len(rows))
	for epoch := 0; epoch < trainEpochs; epoch++ {
		for j := range grad {
			grad[j] = trainL2 * w[j]
		}
		var gb float64
		for i, r := range rows {
			z := bias
			for _, j := range docs[i] {
				z += w[j]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if r.spam {
				y = 1
			}
			d := (p - y) / n
			if r.own {
				d *= ownWeight
			}
			gb += d
			for _, j := range docs[i] {
				grad[j] += d
			}
		}
		bias -= trainRate * gb * 10
		for j := range w {
			w[j] = dampen(names[j], w[j]-trainRate*grad[j]*10)
		}
	}
	m := trainedModel{bias: bias, weights: map[string]float64{}, spam: fc.spam, ok: fc.ok}
	for j, name := range names {
		if math.Abs(w[j]) >= 0.01 {
			m.weights[name] = w[j]
		}
	}
	return m
}

func (m trainedModel) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, `# chatdesk spam score: a logistic regression over features of a message
# (its normalised words outside links, pairs of neighbouring words, and the
# shapes <money> and <caps>). One weight per feature; no messages.
# Features seen in fewer than 3 training messages are left out.
#
# Trained on the UCI YouTube Spam Collection (T. C. Alberto, J. V. Lochter,
# T. A. Almeida, ICMLA 2015) and the SMS Spam Collection (T. A. Almeida,
# J. M. Gómez Hidalgo, A. Yamakami, DocEng 2011), both published by the UCI
# Machine Learning Repository under CC BY 4.0; and on %d lines of Twitch-style
# chat written for chatdesk (internal/moderation/testdata/train/twitch.txt),
# each counted as %.1f of a labelled row.
#
# Regenerate: go test ./internal/moderation -run TestTrainSpamModel -spam.train
`, m.own, ownWeight)
	fmt.Fprintf(&b, "# %d spam and %d honest messages\n", m.spam, m.ok)
	fmt.Fprintf(&b, "bias\t%.4f\n", m.bias)
	keys := make([]string, 0, len(m.weights))
	for k := range m.weights {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s\t%.4f\n", k, m.weights[k])
	}
	return b.String()
}

// TestTrainSpamModel writes spam_model.txt from the whole dev spam set when
// run with -spam.train.
func TestTrainSpamModel(t *testing.T) {
	if !*trainSpam {
		t.Skip("run with -spam.train to retrain spam_model.txt")
	}
	own := readOwnRows(t)
	rows := append(readSpamSet(t, devDir(t)), own...)
	m := train(rows)
	m.own = len(own)
	text := m.text()
	if err := os.WriteFile("spam_model.txt", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote spam_model.txt: %d lines", strings.Count(text, "\n"))
}

// scoreEngine counts what an engine with default settings flags among rows.
type spamScore struct{ spam, ok, caught, falsePos int }

func (s spamScore) String() string {
	flagged := s.caught + s.falsePos
	return fmt.Sprintf("catch %.3f (%d/%d), false positives %.4f (%d/%d), precision %.3f",
		ratio(s.caught, s.spam), s.caught, s.spam, ratio(s.falsePos, s.ok), s.falsePos, s.ok, ratio(s.caught, flagged))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func judge(t testing.TB, rows []labelled, model *spamModelData, threshold float64) (spamScore, []string) {
	t.Helper()
	s := DefaultSettings()
	spam := s.Rules[RuleSpam]
	spam.Threshold = threshold
	s.Rules[RuleSpam] = spam
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e, err := New("test", s, Options{Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	if model != nil {
		for _, sl := range e.slots {
			if r, ok := sl.rule.(*spamRule); ok {
				r.model = model
			}
		}
	}
	var sc spamScore
	var wrong []string
	for i, r := range rows {
		// One viewer per line, a second apart, as the dev set describes.
		v := e.Check(chat.Message{User: fmt.Sprintf("viewer%d", i), Text: r.text, Time: start.Add(time.Duration(i) * time.Second)})
		if r.spam {
			sc.spam++
			if v.Broke() {
				sc.caught++
			}
		} else {
			sc.ok++
			if v.Broke() {
				sc.falsePos++
				wrong = append(wrong, v.Rule+" ("+v.Detail+"): "+r.text)
			}
		}
	}
	return sc, wrong
}

// TestSpamHeldOut measures how the default rules generalise: the spam
// score is trained on half the dev set and judged on the other half, both
// ways round. It reports the numbers and holds them to looser bars than
// the full-set test, since each half trains on half the data.
func TestSpamHeldOut(t *testing.T) {
	rows := readSpamSet(t, devDir(t))
	var even, odd []labelled
	for i, r := range rows {
		if i%2 == 0 {
			even = append(even, r)
		} else {
			odd = append(odd, r)
		}
	}
	for _, split := range []struct {
		name        string
		train, test []labelled
	}{{"train even, test odd", even, odd}, {"train odd, test even", odd, even}} {
		m, err := parseSpamModel(train(append(split.train, readOwnRows(t)...)).text())
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range []float64{0.5, 0.6, 0.7, 0.75, 0.8, 0.9} {
			sc, wrong := judge(t, split.test, m, th)
			t.Logf("%s, threshold %.2f: %v", split.name, th, sc)
			if testing.Verbose() && th == DefaultSpamThreshold {
				for _, w := range wrong {
					t.Logf("  false positive: %s", w)
				}
			}
			if th == DefaultSpamThreshold {
				if f := ratio(sc.falsePos, sc.ok); f > 0.015 {
					t.Errorf("%s: false-positive rate %.4f; want ≤ 0.015 on held-out data", split.name, f)
				}
				if c := ratio(sc.caught, sc.spam); c < 0.55 {
					t.Errorf("%s: catch rate %.3f; want ≥ 0.55 on held-out data", split.name, c)
				}
			}
		}
	}
}

// TestOwnTrainingIsNotTestData: the lines the score is trained on are
// none of the lines the rule tables and corpora test with, so those
// tests measure what the score learnt, not what it saw.
func TestOwnTrainingIsNotTestData(t *testing.T) {
	own := map[string]bool{}
	for _, r := range readOwnRows(t) {
		own[strings.ToLower(r.text)] = true
	}
	files, _ := filepath.Glob("testdata/rules/*.txt")
	more, _ := filepath.Glob("testdata/chat/*.txt")
	for _, f := range append(files, more...) {
		for _, l := range readLines(t, f) {
			if _, text, ok := strings.Cut(l, " | "); ok {
				l = text
			}
			for strings.HasPrefix(l, "[") && strings.Contains(l, "] ") {
				l = l[strings.Index(l, "] ")+2:]
			}
			if own[strings.ToLower(l)] {
				t.Errorf("%s tests with a training line: %q", f, l)
			}
		}
	}
}
