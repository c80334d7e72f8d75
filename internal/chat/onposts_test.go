package chat

import "testing"

func TestOnPosts(t *testing.T) {
	if OnPosts(nil, nil) != nil {
		t.Error("OnPosts(nil, nil) is a hook; want nil, so the Sender skips the call")
	}
	var a, b int
	f := OnPosts(func(Posted) { a++ }, nil, func(Posted) { b++ })
	f(Posted{})
	f(Posted{})
	if a != 2 || b != 2 {
		t.Errorf("hooks saw %d and %d posts; want 2 each", a, b)
	}
}
