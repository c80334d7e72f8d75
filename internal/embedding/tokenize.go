package embedding

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// wordStart marks the start of a word in the vocabulary's pieces, as
// SentencePiece writes it.
const wordStart = "\u2581"

// unknown is the id of the unknown-token piece.
const unknown = 0

// trie holds the vocabulary's pieces for prefix search, as flat nodes whose
// children are kept sorted: most nodes have a handful, and a short search
// beats a map on every character of every question.
type trie struct {
	nodes []trieNode
}

type trieNode struct {
	keys []rune
	next []int32
	id   int32 // token id when a piece ends here, else -1
}

// child returns the node under n for r, or -1.
func (t *trie) child(n int32, r rune) int32 {
	nd := &t.nodes[n]
	lo, hi := 0, len(nd.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if nd.keys[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(nd.keys) && nd.keys[lo] == r {
		return nd.next[lo]
	}
	return -1
}

func buildTrie(pieces []string, reserved int) trie {
	t := trie{nodes: []trieNode{{id: -1}}}
	for id := reserved; id < len(pieces); id++ {
		n := int32(0)
		for _, r := range pieces[id] {
			nx := t.child(n, r)
			if nx < 0 {
				nx = int32(len(t.nodes))
				t.nodes = append(t.nodes, trieNode{id: -1})
				nd := &t.nodes[n]
				i, _ := slices.BinarySearch(nd.keys, r)
				nd.keys = slices.Insert(nd.keys, i, r)
				nd.next = slices.Insert(nd.next, i, nx)
			}
			n = nx
		}
		// A later duplicate replaces an earlier one, as the encoder's own
		// trie does.
		t.nodes[n].id = int32(id)
	}
	return t
}

// Tokenize splits text into the encoder's token ids: NFKC, spaces as word
// marks, then the segmentation with the highest total piece score (Viterbi
// over the pieces the vocabulary has at each position; a character no piece
// starts with is the unknown token, and unknowns in a row merge into one).
// It gives the same ids as the encoder's own tokenizer, ties included, which
// the parity test checks.
func (t *Table) Tokenize(text string) []int {
	text = norm.NFKC.String(text)
	if text == "" {
		return nil
	}
	syms := []rune(wordStart + strings.ReplaceAll(text, " ", wordStart))
	n := len(syms)
	// Small questions keep their work on the stack.
	var bestBuf [128]float64
	var wordBuf [128]int32
	best, words := bestBuf[:0], wordBuf[:0]
	if n+1 > len(bestBuf) {
		best, words = make([]float64, 0, n+1), make([]int32, 0, n+1)
	}
	best, words = best[:n+1], words[:n+1]
	clear(best)
	// One pass forward: best[i] is final once every start before i has
	// been walked. The encoder relaxes the edges that end at a position in
	// ascending order of their start, a later edge winning a tie; walking
	// starts in ascending order visits them in that same order.
	relax := func(end int, s float64, id int32) {
		// 0 doubles as "unset" in the encoder's tokenizer.
		if best[end] == 0 || s >= best[end] {
			best[end] = s
			words[end] = id
		}
	}
	for i := range n {
		found := false
		node := int32(0)
		for j := i; j < n; j++ {
			nx := t.trie.child(node, syms[j])
			if nx < 0 {
				break
			}
			node = nx
			if id := t.trie.nodes[node].id; id >= 0 {
				relax(j+1, float64(t.scores[id])+best[i], id)
				found = true
			}
		}
		if !found {
			relax(i+1, best[i], unknown)
		}
	}
	var ids []int
	for at := n; at > 0; {
		id := int(words[at])
		ids = append(ids, id)
		at -= max(1, utf8.RuneCountInString(t.pieces[id]))
	}
	out := ids[:0]
	prevUnknown := false
	for _, id := range ids {
		if !(prevUnknown && id == unknown) {
			out = append(out, id)
		}
		prevUnknown = id == unknown
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
