package emotes

import (
	"strings"
	"testing"
)

// FuzzParsers: whatever a service answers, reading it never panics, and
// what clean keeps is sorted, each name once, none empty or with a space.
func FuzzParsers(f *testing.F) {
	f.Add([]byte(`{"channelEmotes":[{"code":"a"}],"sharedEmotes":[{"code":"b c"}]}`))
	f.Add([]byte(`[{"code":"x"},{"code":""}]`))
	f.Add([]byte(`{"sets":{"1":{"emoticons":[{"name":"y"}]}}}`))
	f.Add([]byte(`{"emote_set":{"emotes":[{"name":"z"}]}}`))
	f.Add([]byte(`{"emote_set":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var all []string
		for _, read := range []func([]byte) ([]string, error){bttvChannel, bttvGlobal, ffzSets, sevenTVUser, sevenTVSet} {
			if names, err := read(body); err == nil {
				all = append(all, names...)
			}
		}
		kept := clean(all)
		for i, n := range kept {
			if n == "" || strings.ContainsAny(n, " \t\n") || i > 0 && kept[i-1] >= n {
				t.Fatalf("clean kept %q", kept)
			}
		}
	})
}
