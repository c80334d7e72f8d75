package question

import (
	"testing"
	"unicode/utf8"
)

func TestDetectAllocs(t *testing.T) {
	d := Detector{Names: []string{"mira"}}
	for _, text := range benchLines {
		if n := testing.AllocsPerRun(50, func() { d.Detect(text) }); n != 0 {
			t.Errorf("Detect(%q) allocates %v times; want 0", text, n)
		}
		if n := testing.AllocsPerRun(50, func() { d.Read(text) }); n != 0 {
			t.Errorf("Read(%q) allocates %v times; want 0", text, n)
		}
	}
}

// benchLines are typical chat lines of about 40 bytes.
var benchLines = []string{
	"hey @mira what keyboard are you using rn?",
	"lol that was such a clean play KEKW KEKW",
	"anyone know when the next giveaway is??",
	"主播今天用的是什么键盘呀，好好看",
}

func BenchmarkDetect(b *testing.B) {
	d := Detector{Names: []string{"mira", "chatdeskbot"}}
	for i, name := range []string{"en-question", "en-statement", "en-indirect", "zh-question"} {
		text := benchLines[i]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Detect(text)
			}
		})
	}
}

// TestDecodeRune checks the inline decoder against the standard one over
// every lead byte of a three-byte sequence and every second byte, with
// third bytes at and around the edges of the continuation range.
func TestDecodeRune(t *testing.T) {
	for b0 := 0xe0; b0 <= 0xef; b0++ {
		for b1 := 0; b1 < 256; b1++ {
			for _, b2 := range []byte{0x00, 0x7f, 0x80, 0x9a, 0xbf, 0xc0, 0xff} {
				for _, s := range []string{string([]byte{byte(b0), byte(b1), b2}), string([]byte{byte(b0), byte(b1)})} {
					r, n := decodeRune(s)
					wr, wn := utf8.DecodeRuneInString(s)
					if r != wr || n != wn {
						t.Fatalf("decodeRune(%q) = %U, %d; want %U, %d", s, r, n, wr, wn)
					}
				}
			}
		}
	}
}
