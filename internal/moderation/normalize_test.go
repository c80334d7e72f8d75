package moderation

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"FREE stuff", "free stuff"},
		{"ｆｒｅｅ", "free"},
		{"𝐟𝐫𝐞𝐞 𝕗𝕣𝕖𝕖", "free free"},
		{"frее", "free"},             // Cyrillic е
		{"привет мир", "привет мир"}, // real Russian stays
		{"fr33 h4x0r", "free haxor"},
		{"call 0906 123", "call 0906 123"},
		{"f.r.e.e", "free"},
		{"f r e e stuff", "free stuff"},
		{"f. r. e. e", "free"},
		{"a b", "a b"},
		{"e.g. this", "eg this"},
		{"freeeeee", "free"},
		{"fr\u200bee", "free"},
		{"f\u202eree", "free"},
		{"Z̷̢̛a̸l̴g̵o̶", "zalgo"},
		{"FRÉÉ café", "free cafe"},
		{"Straße", "strasse"},
		{"don't", "dont"},
		{"@bob hi", "bob hi"},
		{"p@ss $5", "pass 5"},
		{"我爱你 中国", "我爱你 中国"},
		{"ＫＥＫＷ LUL", "kekw lul"},
		{"🇫🇷🇪🇪", "free"},
		{"ꜰʀᴇᴇ", "free"},
		{"hello!!! world???", "hello world"},
		{"", ""},
		{"   ", ""},
		{"...", ""},
		{"LUL 😂😂 LUL", "lul lul"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
