package embedding

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/devdata"
)

// parityRow is one line of testdata/parity.txt: the encoder's token ids for a
// text written out, or for a dev-set line known only by its hash.
type parityRow struct {
	text string
	hash string
	ids  []int
}

func readParity(t *testing.T) []parityRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "parity.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []parityRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		kind, rest, _ := strings.Cut(line, "\t")
		key, idText, ok := strings.Cut(rest, "\t")
		if !ok {
			t.Fatalf("parity.txt:%d: want kind, key and ids", n)
		}
		row := parityRow{}
		for _, s := range strings.Fields(idText) {
			id, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("parity.txt:%d: %v", n, err)
			}
			row.ids = append(row.ids, id)
		}
		switch kind {
		case "text":
			if err := json.Unmarshal([]byte(key), &row.text); err != nil {
				t.Fatalf("parity.txt:%d: %v", n, err)
			}
		case "sha":
			row.hash = key
		default:
			t.Fatalf("parity.txt:%d: unknown kind %q", n, kind)
		}
		rows = append(rows, row)
	}
	return rows
}

func english(t testing.TB) *Table {
	t.Helper()
	tab, err := English()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestTokenizeParityOwnLines(t *testing.T) {
	tab := english(t)
	n := 0
	for _, r := range readParity(t) {
		if r.hash != "" {
			continue
		}
		n++
		if got := tab.Tokenize(r.text); !slices.Equal(got, r.ids) {
			t.Errorf("Tokenize(%q) = %v; want %v", r.text, got, r.ids)
		}
	}
	if n == 0 {
		t.Fatal("no written-out lines in parity.txt")
	}
}

// TestTokenizeParityDevLines checks the Go tokenizer against the encoder's on
// every dev chat line; the fixture holds only the lines' hashes and ids.
func TestTokenizeParityDevLines(t *testing.T) {
	dir := devdata.Dir(t)
	tab := english(t)
	want := map[string][]int{}
	for _, r := range readParity(t) {
		if r.hash != "" {
			want[r.hash] = r.ids
		}
	}
	checked := 0
	for _, set := range []string{"en", "stream-en", "zh", "stream-zh"} {
		files, _ := filepath.Glob(filepath.Join(dir, set, "chat.jsonl"))
		more, _ := filepath.Glob(filepath.Join(dir, set, "*", "chat.jsonl"))
		for _, file := range append(files, more...) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(f)
			for n := 1; sc.Scan(); n++ {
				var l struct{ Text string }
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatalf("%s:%d: %v", file, n, err)
				}
				sum := sha256.Sum256([]byte(l.Text))
				ids, ok := want[hex.EncodeToString(sum[:])[:16]]
				if !ok {
					continue
				}
				checked++
				if got := tab.Tokenize(l.Text); !slices.Equal(got, ids) {
					t.Errorf("%s:%d: Tokenize(%q) = %v; want %v", file, n, l.Text, got, ids)
				}
			}
			f.Close()
		}
	}
	if checked < 1000 {
		t.Fatalf("checked %d dev lines against the fixture; want the whole dev chat (regenerate testdata/parity.txt?)", checked)
	}
	t.Logf("%d dev lines tokenize as the encoder does", checked)
}

func TestTableIntegrity(t *testing.T) {
	tab := english(t)
	if tab.Len() != 8000 || tab.Dim() != 512 {
		t.Fatalf("table is %d × %d; want 8000 × 512", tab.Len(), tab.Dim())
	}
	bad := slices.Clone(enTable)
	bad[len(bad)/2] ^= 1
	if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("Parse(flipped byte) error = %v; want a checksum error", err)
	}
	if _, err := Parse(enTable[:len(enTable)-1]); err == nil {
		t.Error("Parse(truncated) succeeded; want an error")
	}
	if _, err := Parse(nil); err == nil {
		t.Error("Parse(nil) succeeded; want an error")
	}
}

func TestEmbedMeaning(t *testing.T) {
	tab := english(t)
	tests := []struct {
		a, near, far string
	}{
		{"how old are you", "what is your age", "how old is the channel"},
		{"what song is this", "whats this track called", "what game is this"},
		{"when do you stream", "what time do you go live", "where do you live"},
	}
	for _, tt := range tests {
		a := tab.Embed(tt.a)
		near, far := Cosine(a, tab.Embed(tt.near)), Cosine(a, tab.Embed(tt.far))
		t.Logf("%q: %q %.3f, %q %.3f", tt.a, tt.near, near, tt.far, far)
	}
	if v := tab.Embed(""); v != nil {
		t.Errorf("Embed(\"\") = %d values; want nil", len(v))
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"when do you stream?", "😂😂 ok", "ﬁ №5", " ", "中文", "\xff\xfe"} {
		f.Add(s)
	}
	tab, err := English()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, id := range tab.Tokenize(s) {
			if id < 0 || id >= tab.Len() {
				t.Fatalf("Tokenize(%q) gave id %d outside the vocabulary", s, id)
			}
		}
		v := tab.Embed(s)
		if v != nil && len(v) != tab.Dim() {
			t.Fatalf("Embed(%q) has %d values", s, len(v))
		}
	})
}

func BenchmarkEmbed(b *testing.B) {
	tab := english(b)
	b.ReportAllocs()
	for b.Loop() {
		tab.Embed("yo whats the song called rn")
	}
}

// FuzzParse: a table file that is not one is refused with an error, never
// a panic.
func FuzzParse(f *testing.F) {
	f.Add(enTable[:64])
	f.Add([]byte(tableMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Parse(b); err == nil && len(b) < len(enTable) {
			t.Fatalf("Parse accepted %d bytes", len(b))
		}
	})
}
