import SimpulWeb
