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
func (t *Table) Embed(text string) Vector {
	ids := t.Tokenize(strings.ToLower(text))
	sum := make([]float64, t.dim)
	n := 0
	for _, id := range ids {
		if id < t.reserved {
			continue
		}
		// A bare word mark is spacing, not meaning.
		if t.pieces[id] == wordStart {
			continue
		}
		w := float64(t.weights[id]) * float64(t.scales[id])
		row := t.rows[id*t.dim : (id+1)*t.dim]
		for d, q := range row {
			sum[d] += w * float64(q)
		}
		n++
	}
	if n == 0 {
		return nil
	}
	var proj float64
	for d, c := range t.common {
		proj += sum[d] * float64(c)
	}
	var norm float64
	for d, c := range t.common {
		sum[d] -= proj * float64(c)
		norm += sum[d] * sum[d]
	}
	if norm == 0 {
		return nil
	}
	norm = math.Sqrt(norm)
	v := make(Vector, t.dim)
	for d := range sum {
		v[d] = float32(sum[d] / norm)
	}
	return v
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
