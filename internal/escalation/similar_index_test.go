package escalation

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The indexes must decide exactly what comparing with everything decided.
// Below is that earlier way, kept as the reference: term weights worked out
// in every comparison, a new question compared with every recent group and
// every open ticket.

func refSimilar(a, b terms) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	var shared, wa, wb float64
	telling := false
	qa, qb, qboth := false, false, false
	for _, w := range b {
		qb = qb || questionWords[w]
		wb += weight(w)
	}
	for _, w := range a {
		q := questionWords[w]
		qa = qa || q
		wa += weight(w)
		if contains(b, w) {
			shared += weight(w)
			if q {
				qboth = true
			} else if weight(w) == weightTelling {
				telling = true
			}
		}
	}
	if qa && qb && !qboth {
		return false
	}
	return telling && 2*shared/(wa+wb) >= SimilarityThreshold
}

type refGroup struct {
	terms   terms
	members []refMember
}

type refMember struct {
	asker Asker
	terms terms
}

// refCrowd is the crowd as a walk over every group.
type refCrowd struct {
	n      int
	within time.Duration
	groups []*refGroup
}

func (c *refCrowd) add(a Asker, t terms) []Asker {
	if c.n < 2 || len(t) == 0 {
		return nil
	}
	kept := c.groups[:0]
	for _, g := range c.groups {
		members := g.members[:0]
		for _, m := range g.members {
			if a.At.Sub(m.asker.At) < c.within {
				members = append(members, m)
			}
		}
		g.members = members
		if len(members) > 0 {
			kept = append(kept, g)
		}
	}
	c.groups = kept
	var g *refGroup
	for _, cand := range c.groups {
		if refSimilar(cand.terms, t) || slices.ContainsFunc(cand.members, func(m refMember) bool { return refSimilar(m.terms, t) }) {
			g = cand
			break
		}
	}
	if g == nil {
		if len(c.groups) >= maxCrowdGroups {
			c.groups = c.groups[1:]
		}
		g = &refGroup{terms: t}
		c.groups = append(c.groups, g)
	}
	g.members = slices.DeleteFunc(g.members, func(m refMember) bool { return m.asker.User == a.User })
	g.members = append(g.members, refMember{asker: a, terms: t})
	c.groups = append(slices.DeleteFunc(c.groups, func(x *refGroup) bool { return x == g }), g)
	if len(g.members) < c.n {
		return nil
	}
	out := make([]Asker, len(g.members))
	for i, m := range g.members {
		out[i] = m.asker
	}
	c.groups = slices.DeleteFunc(c.groups, func(x *refGroup) bool { return x == g })
	return out
}

// refGroupSimilar is GroupSimilar comparing with every group.
func refGroupSimilar(texts []string, names []string) []Group {
	type group struct {
		Group
		terms terms
	}
	var gs []*group
	for _, text := range texts {
		tt := termsOf(text, names)
		var hit *group
		for _, g := range gs {
			if refSimilar(g.terms, tt) {
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

// devChat reads the stream-style dev chat (English and Chinese) and the
// FAQ sets' chat, every line with its viewer.
func devChat(t testing.TB) map[string][]Asker {
	t.Helper()
	dir := os.Getenv("CHATDESK_TEST_DEV_DATA")
	if dir == "" {
		dir = os.Getenv("CHATDESK_DEV_DATA")
	}
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "dev")
	}
	start := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	sets := []string{"stream-en/a", "stream-en/b", "stream-zh/a", "stream-zh/b", "en", "zh"}
	out := map[string][]Asker{}
	for _, set := range sets {
		f, err := os.Open(filepath.Join(dir, set, "chat.jsonl"))
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("dev data not found at %s (set CHATDESK_TEST_DEV_DATA): %v", dir, err)
			}
			t.Skipf("dev data not found at %s; it lives beside the repository (set CHATDESK_TEST_DEV_DATA to point elsewhere)", dir)
		}
		sc := bufio.NewScanner(f)
		for i := 0; sc.Scan(); i++ {
			var line struct{ User, Text string }
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("%s line %d: %v", set, i+1, err)
			}
			// Three seconds apart, so the window lets groups come and go.
			out[set] = append(out[set], Asker{User: line.User, Text: line.Text, At: start.Add(time.Duration(i) * 3 * time.Second)})
		}
		f.Close()
	}
	return out
}

// TestIndexesDecideAsBefore runs the dev sets' chat through the crowd, the
// open-ticket matcher and the report's grouping, by index and by the
// reference walk over everything, and wants the same decision every time.
func TestIndexesDecideAsBefore(t *testing.T) {
	names := []string{"chatdesk", "mira"}
	for set, lines := range devChat(t) {
		t.Run(set, func(t *testing.T) {
			var texts []string
			for _, a := range lines {
				texts = append(texts, a.Text)
			}
			if got, want := GroupSimilar(texts, names), refGroupSimilar(texts, names); !reflect.DeepEqual(got, want) {
				t.Errorf("GroupSimilar: %d groups; the reference made %d", len(got), len(want))
			}

			for _, c := range []struct {
				n      int
				within time.Duration
			}{{2, 2 * time.Minute}, {3, 5 * time.Minute}, {2, time.Hour}} {
				now, ref := &crowd{n: c.n, within: c.within}, &refCrowd{n: c.n, within: c.within}
				crowds := 0
				for i, a := range lines {
					tt := termsOf(a.Text, names)
					got, want := now.add(a, newWording(tt)), ref.add(a, tt)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("crowd of %d within %s, line %d %q: %v; the reference %v", c.n, c.within, i+1, a.Text, askers(got), askers(want))
					}
					if got != nil {
						crowds++
					}
				}
				t.Logf("crowd of %d within %s: %d crowds, as the reference", c.n, c.within, crowds)
			}

			// Open tickets: every line that joins none is filed, and the
			// ticket filed 40 lines earlier is closed, so the open set
			// keeps changing.
			open := newOpenQuestions()
			ref := map[int64]terms{}
			var filed []int64
			joins := 0
			for i, a := range lines {
				tt := termsOf(a.Text, names)
				got, gotOK := open.match(newWording(tt))
				var want int64
				wantOK := false
				for n, o := range ref {
					if refSimilar(o, tt) && (!wantOK || n < want) {
						want, wantOK = n, true
					}
				}
				if got != want || gotOK != wantOK {
					t.Fatalf("line %d %q joins #%d (%v); the reference #%d (%v)", i+1, a.Text, got, gotOK, want, wantOK)
				}
				if gotOK {
					joins++
				} else if len(tt) > 0 {
					n := int64(i + 1)
					open.keep(n, newWording(tt))
					ref[n] = tt
					filed = append(filed, n)
				}
				if len(filed) > 40 {
					open.forget(filed[0])
					delete(ref, filed[0])
					filed = filed[1:]
				}
			}
			t.Logf("%d lines, %d joined an open ticket, as the reference", len(lines), joins)
		})
	}
}

func askers(as []Asker) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s:%q", a.User, a.Text))
	}
	return out
}

// BenchmarkCrowd files the English dev chat's 1,400 lines into a crowd of
// two within an hour, by index and by the reference walk: the cost of the
// desk's crowd for a question nobody answered (its terms already read).
// Run: go test -run '^$' -bench BenchmarkCrowd ./internal/escalation
func BenchmarkCrowd(b *testing.B) {
	lines := devChat(b)["en"]
	tts := make([]terms, len(lines))
	for i, a := range lines {
		tts[i] = termsOf(a.Text, nil)
	}
	b.Run("index", func(b *testing.B) {
		for range b.N {
			c := &crowd{n: 2, within: time.Hour}
			for i, a := range lines {
				c.add(a, newWording(tts[i]))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/question")
	})
	b.Run("reference", func(b *testing.B) {
		for range b.N {
			c := &refCrowd{n: 2, within: time.Hour}
			for i, a := range lines {
				c.add(a, tts[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/question")
	})
}
