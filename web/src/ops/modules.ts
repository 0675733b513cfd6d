// The mission modules' views, one import each (each registers itself with ./registry).
