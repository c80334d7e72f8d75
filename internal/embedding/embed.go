package embedding

import (
	"math"
	"strings"
)

// Vector is a unit-length sentence vector, or nil for text with no known
// token.
type Vector []float32

// Embed returns text's sentence vector: the mean of its tokens' vectors, each
// weighted by how rare the token is, less the component all sentences share,
// scaled to unit length. Text is lowercased first: chat's capitals say
// nothing about meaning, and the vocabulary knows lowercase words best.
func (t *Table) Embed(text string) Vector { return t.Sentence(text).Vector }

// Sentence is a text's vector with the parts it was made of. A caller that
// compares many questions with the same fixed vectors can keep each token's
// product with them (RowDot) and score a question from its few tokens
// instead of its whole vector: for a fixed v,
//
//	Vector·v = (Σ Weights[i]·RowDot(IDs[i], v) − Shared·(Common()·v)) / Norm
type Sentence struct {
	Vector Vector // as Embed returns it; nil for text with no known token
	// IDs are the tokens that count, and Weights theirs: frequency weight
	// times the row's scale.
	IDs     []int32
	Weights []float32
	// Shared is the weighted sum's component along Common(), and Norm the
	// sum's length once that component is removed.
	Shared, Norm float64
}

// stackDim is the widest sentence Sentence sums without allocating.
const stackDim = 512

// Sentence embeds text as Embed does and returns the parts too.
func (t *Table) Sentence(text string) Sentence {
	ids := t.Tokenize(strings.ToLower(text))
	s := Sentence{IDs: make([]int32, 0, len(ids)), Weights: make([]float32, 0, len(ids))}
	// float32 sums: a sentence adds a handful of rows, and the result is
	// stored as float32 anyway. On the stack for the built-in table's
	// width: a question is embedded on every match.
	var buf [stackDim]float32
	var sum []float32
	if t.dim <= stackDim {
		sum = buf[:t.dim]
	} else {
		sum = make([]float32, t.dim)
	}
	for _, id := range ids {
		if id < t.reserved {
			continue
		}
		// A bare word mark is spacing, not meaning.
		if t.pieces[id] == wordStart {
			continue
		}
		w := t.weights[id] * t.scales[id]
		s.IDs = append(s.IDs, int32(id))
		s.Weights = append(s.Weights, w)
		row := t.rows[id*t.dim : (id+1)*t.dim]
		sum = sum[:len(row)]
		for d, q := range row {
			sum[d] += w * float32(q)
		}
	}
	if len(s.IDs) == 0 {
		return Sentence{}
	}
	for d, c := range t.common {
		s.Shared += float64(sum[d]) * float64(c)
	}
	var norm float64
	for d, c := range t.common {
		sum[d] -= float32(s.Shared) * c
		norm += float64(sum[d]) * float64(sum[d])
	}
	if norm == 0 {
		return Sentence{}
	}
	s.Norm = math.Sqrt(norm)
	s.Vector = make(Vector, t.dim)
	inv := float32(1 / s.Norm)
	for d := range sum {
		s.Vector[d] = sum[d] * inv
	}
	return s
}

// Common is the unit direction every sentence shares, which Embed removes.
func (t *Table) Common() Vector { return t.common }

// RowDot is token id's stored row, unscaled, dotted with v; 0 when v's
// length is not the table's.
func (t *Table) RowDot(id int32, v Vector) float32 {
	if len(v) != t.dim || id < 0 || int(id) >= len(t.pieces) {
		return 0
	}
	row := t.rows[int(id)*t.dim : (int(id)+1)*t.dim]
	var s float32
	for d, q := range row {
		s += float32(q) * v[d]
	}
	return s
}

// Cosine is the cosine similarity of two unit vectors; 0 when either is nil
// or their lengths differ.
func Cosine(a, b Vector) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	b = b[:len(a)]
	// Eight sums, so the loop is not one long dependency chain.
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		x, y := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		s4 += x[4] * y[4]
		s5 += x[5] * y[5]
		s6 += x[6] * y[6]
		s7 += x[7] * y[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return float64((s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7))
}
