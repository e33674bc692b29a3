/* aero-decode: placeholder until the layered decoder lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "aero-decode: not built yet\n");
	return 2;
}
