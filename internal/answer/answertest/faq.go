// Package answertest generates FAQ files of any size for tests and
// benchmarks of the answer stage and of channels built from it.
package answertest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// subjects and asks are the parts generated questions are made of. A small
// vocabulary shared by every entry makes many questions match many entries
// equally well, which is what a ranking's tie-breaking is tested with.
var (
	subjects = []string{
		"schedule", "keyboard", "mouse", "discord", "song", "game", "emote", "raid", "setup",
		"camera", "chair", "monitor", "mic", "headset", "overlay", "bot", "art", "tablet",
		"brush", "canvas", "mod", "vip", "sub", "prime", "merch", "shirt", "mug", "poster",
		"sticker", "charity", "collab", "marathon", "tournament", "giveaway", "clip", "vod",
		"youtube", "tiktok", "twitter", "instagram", "country", "language", "age", "name",
		"dog", "cat", "coffee", "tea", "snack", "pc", "gpu", "cpu", "ram", "internet",
	}
	asks = []string{
		"what %s do you use", "when is the %s", "where can i get the %s", "how do i join the %s",
		"is there a %s today", "which %s is that", "can i see the %s", "do you have a %s",
		"who made the %s", "how much was the %s", "why the %s", "%s什么时候有", "主播的%s是什么",
	}
)

// FAQ returns the YAML of an n-entry FAQ whose wording depends on seed, so
// different seeds give different files. Each entry has three questions,
// some have a keyword, and every id is unique.
func FAQ(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var b strings.Builder
	b.WriteString("entries:\n")
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		subject := subjects[r.IntN(len(subjects))]
		other := subjects[r.IntN(len(subjects))]
		fmt.Fprintf(&b, "  - id: entry-%d\n    questions:\n", i)
		for q := 0; q < 3; q++ {
			s := subject
			if q == 2 {
				s = subject + " " + other
			}
			text := fmt.Sprintf(asks[r.IntN(len(asks))], s)
			if seen[text] {
				// A FAQ may not repeat a question; a made-up word
				// that only this entry uses tells it apart.
				text += " " + word(i*3+q)
			}
			seen[text] = true
			fmt.Fprintf(&b, "      - %q\n", text)
		}
		if r.IntN(4) == 0 {
			fmt.Fprintf(&b, "    keywords: [%s]\n", other)
		}
		fmt.Fprintf(&b, "    answer: \"Answer %d of seed %d: the %s.\"\n", i, seed, subject)
	}
	return []byte(b.String())
}

// Questions returns n questions worded like the FAQ's, for matching.
func Questions(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 0x9a5))
	out := make([]string, n)
	for i := range out {
		s := subjects[r.IntN(len(subjects))]
		if r.IntN(3) == 0 {
			s += " " + subjects[r.IntN(len(subjects))]
		}
		out[i] = fmt.Sprintf(asks[r.IntN(len(asks))], s)
	}
	return out
}

// word spells i in letters, a word no other i spells.
func word(i int) string {
	w := []byte("zq")
	for {
		w = append(w, byte('a'+i%26))
		i /= 26
		if i == 0 {
			return string(w)
		}
	}
}
