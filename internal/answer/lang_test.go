package answer

import "testing"

func TestDetectLang(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"when do you stream", "en"},
		{"什么时候开播", "zh"},
		{"有没有discord", "zh"},
		{"请问pc配置", "zh"},
		{"what does 你好 mean", "en"},
		{"KEKW 笑死", "zh"},
		{"LUL", "en"},
		{"666", "en"},
		{"", "en"},
		{"主播 is this real", "en"},
		{"¿dónde está?", "en"},
		{"𠀀𠀁", "zh"}, // Han outside the basic block
	}
	for _, tt := range tests {
		if got := DetectLang(tt.text); got != tt.want {
			t.Errorf("DetectLang(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

// TestDetectLangEmotes checks that emotes, which both audiences type, do not
// decide the language.
func TestDetectLangEmotes(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"PogChamp PogChamp 太强了", "zh"},
		{"KEKW KEKW what a play", "en"},
		{"OMEGALUL 哈哈", "zh"},
	}
	for _, tt := range tests {
		if got := DetectLang(tt.text); got != tt.want {
			t.Errorf("DetectLang(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}
