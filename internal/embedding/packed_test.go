package embedding

import (
	"math"
	"testing"
)

// TestPacked: a packed sentence vector's products stay within 0.001 of the
// exact ones, with question vectors and with the table's own rows.
func TestPacked(t *testing.T) {
	tab := english(t)
	texts := []string{
		"when do you stream", "what keyboard do you use", "wen r u live", "is there a discord",
		"tell me your specs pls", "how old is the channel", "can i play with you", "song name?",
	}
	for _, a := range texts {
		va := tab.Embed(a)
		p := Pack(va)
		if p.Len() != len(va) {
			t.Fatalf("%q: packed to %d components, want %d", a, p.Len(), len(va))
		}
		if self := p.Dot(va); math.Abs(self-1) > 1e-3 {
			t.Errorf("%q: packed · itself = %.5f, want 1", a, self)
		}
		for _, b := range texts {
			vb := tab.Embed(b)
			if got, want := p.Dot(vb), Cosine(va, vb); math.Abs(got-want) > 1e-3 {
				t.Errorf("%q · %q: packed %.5f, exact %.5f", a, b, got, want)
			}
		}
		u := p.Unpack()
		for _, id := range tab.Tokenize(a) {
			got, want := float64(tab.RowDotPacked(int32(id), p)), float64(tab.RowDot(int32(id), u))
			if math.Abs(got-want) > 1e-3*math.Max(1, math.Abs(want)) {
				t.Errorf("%q token %d: packed row product %.5f, unpacked %.5f", a, id, got, want)
			}
		}
	}
	for _, tc := range []struct {
		name string
		v    Vector
	}{{"nil", nil}, {"empty", Vector{}}} {
		if p := Pack(tc.v); p.Len() != 0 || p.Unpack() != nil || p.Dot(Vector{1}) != 0 {
			t.Errorf("%s: packed to %+v", tc.name, p)
		}
	}
	if z := Pack(Vector{0, 0, 0}); z.Dot(Vector{1, 1, 1}) != 0 {
		t.Errorf("zero vector: product %v", z.Dot(Vector{1, 1, 1}))
	}
	if tab.RowDotPacked(5, Pack(Vector{1, 2})) != 0 {
		t.Error("a packed vector of the wrong length has a product with a row")
	}
}
