<?php
// A WSDL-driven SOAP client (PHP SoapClient) against the mock: reads the WSDL, logs in, sends one Get.
// argv: WSDL URL, then the documents. Prints each reply document as one JSON line.
$client = new SoapClient($argv[1], ['exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE, 'trace' => false]);
foreach (array_slice($argv, 2) as $document) {
    $reply = $client->processOCIMessage($document);
    echo json_encode(['reply' => $reply]), "\n";
}
