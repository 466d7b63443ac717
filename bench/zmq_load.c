/* zmq_load.c - request/reply load client for `ambassador serve` and for the
 * raw echo baseline (bench_zmq_echo server). See zmq_client.h for what it
 * measures and prints.
 *
 *   bench_zmq_load --connect tcp://127.0.0.1:5555 --threads 16 --requests 100000 \
 *       --request '{"op":"rank","limit":20}' --expect '"ok":true'
 */
#include "zmq_client.h"

int main(int argc, char **argv)
{
	return load_main(argc, argv);
}
