// The containerd version ctr puts in its User-Agent ("containerd/<version>"); ours
// names the containerd release whose client behaviour we reproduce.
export const VERSION_FOR_USER_AGENT = '1.6.20~ds1';
