// Package embedding turns English text into a sentence vector with a static
// table distilled from a sentence encoder: the encoder's own sub-word
// tokenizer, one vector per vocabulary token, a frequency-weighted mean and
// the component every sentence shares removed. It runs in pure Go with no
// model at run time; en.table and how it was made are described in NOTICE.
package embedding

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the table ships inside the binary
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"unicode/utf8"
)

//go:embed en.table
var enTable []byte

// tableMagic starts every table file; the digits are its format version.
const tableMagic = "CDSE0001"

// Table is a loaded embedding table. It is read-only once loaded and safe for
// concurrent use.
type Table struct {
	dim      int
	reserved int
	pieces   []string
	scores   []float32 // unigram log-probabilities, as the tokenizer scores pieces
	weights  []float32 // per token, a/(a+p): frequent tokens count less
	common   []float32 // unit vector every sentence shares, removed from each
	scales   []float32 // per row
	rows     []int8    // len(pieces) × dim
	trie     trie
}

// sifA is the smoothing of the frequency weights a/(a+p(token)); the
// generator used the same value when it found the common component.
const sifA = 1e-3

// English returns the built-in English table, parsed on first use and shared
// by every caller in the process.
var English = sync.OnceValues(func() (*Table, error) { return Parse(enTable) })

// Dim is the length of the vectors the table makes.
func (t *Table) Dim() int { return t.dim }

// Len is the number of tokens in the vocabulary.
func (t *Table) Len() int { return len(t.pieces) }

// Parse reads a table file and checks its checksum, so a truncated or altered
// table is refused rather than giving quietly wrong vectors.
func Parse(b []byte) (*Table, error) {
	if len(b) < len(tableMagic)+12+sha256.Size {
		return nil, errors.New("embedding table: too short")
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("embedding table: checksum mismatch (sha256 %x, file says %x)", got, sum)
	}
	if string(body[:len(tableMagic)]) != tableMagic {
		return nil, fmt.Errorf("embedding table: unknown format %q", body[:len(tableMagic)])
	}
	r := reader{b: body, off: len(tableMagic)}
	n, dim, reserved := int(r.u32()), int(r.u32()), int(r.u32())
	if n <= reserved || dim == 0 || dim > 4096 {
		return nil, fmt.Errorf("embedding table: bad shape %d tokens × %d, %d reserved", n, dim, reserved)
	}
	t := &Table{dim: dim, reserved: reserved, pieces: make([]string, n), scores: make([]float32, n), weights: make([]float32, n)}
	minLog := float32(0)
	for i := range n {
		l := int(r.u16())
		t.scores[i] = r.f32()
		t.pieces[i] = string(r.bytes(l))
		if !utf8.ValidString(t.pieces[i]) {
			return nil, fmt.Errorf("embedding table: token %d is not UTF-8", i)
		}
		minLog = min(minLog, t.scores[i])
	}
	for i, s := range t.scores {
		// User-defined symbols carry a score of 0 or above, not a
		// probability; they weigh like the rarest token.
		if s >= 0 {
			s = minLog
		}
		p := math.Exp(float64(s))
		t.weights[i] = float32(sifA / (sifA + p))
	}
	t.common = make([]float32, dim)
	for d := range t.common {
		t.common[d] = r.f32()
	}
	t.scales = make([]float32, n)
	t.rows = make([]int8, n*dim)
	for i := range n {
		t.scales[i] = r.f32()
		row := r.bytes(dim)
		for d, v := range row {
			t.rows[i*dim+d] = int8(v)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("embedding table: %w", r.err)
	}
	if r.off != len(body) {
		return nil, fmt.Errorf("embedding table: %d bytes after the last row", len(body)-r.off)
	}
	t.trie = buildTrie(t.pieces, reserved)
	return t, nil
}

// reader walks a little-endian table, remembering the first overrun.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || r.off+n > len(r.b) {
		r.err = errors.New("truncated")
		return make([]byte, n)
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u16() uint16  { return binary.LittleEndian.Uint16(r.bytes(2)) }
func (r *reader) u32() uint32  { return binary.LittleEndian.Uint32(r.bytes(4)) }
func (r *reader) f32() float32 { return math.Float32frombits(r.u32()) }
