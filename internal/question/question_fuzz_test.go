package question

import "testing"

func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"", "?", "when do you stream?", "@bob what time is it there", "LUL", "no way?!",
		"什么时候开播", "有没有discord", "真的假的？！", "!discord", "@", "@@mira", "http://x.com/?a=b",
		"\xff\xfe?", "a\u2019s", "PogChamp when", "is this real lol", "\u3000？",
		"ab''cd 中", "l'été 中文", "Привет 中", "l'été?",
	} {
		f.Add(s)
	}
	d := Detector{Names: []string{"mira", "@ChatDeskBot", ""}}
	f.Fuzz(func(t *testing.T, text string) {
		q := d.Detect(text)
		if q.Lang != LangEnglish && q.Lang != LangChinese {
			t.Fatalf("Detect(%q).Lang = %q; want en or zh", text, q.Lang)
		}
		if q.Why == "" {
			t.Fatalf("Detect(%q).Why is empty", text)
		}
		if again := d.Detect(text); again != q {
			t.Fatalf("Detect(%q) = %+v, then %+v: not deterministic", text, q, again)
		}
		if lang := DetectLang(text); lang != q.Lang {
			t.Fatalf("Detect(%q).Lang = %q but DetectLang says %q", text, q.Lang, lang)
		}
		if r := d.Read(text); r.Question != q.Is || r.Lang != q.Lang || r.Why != q.Why || !r.Read() {
			t.Fatalf("Read(%q) = %+v; want the verdict of Detect, %+v", text, r, q)
		}
	})
}
