// The mission modules' views, one import each (each registers itself with ./registry).
import "./partners";
import "./convoys";
import "./coverage";
import "./weapons";
import "./trafficking";
